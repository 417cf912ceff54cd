// libFuzzer target for the MQTT decoder (clang -fsanitize=fuzzer,address,undefined).
// Run by tests/fuzz/run_fuzzer.sh, seeded from the captures in tests/data.

#include "decoder_fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mqs::fuzz::runDecoderInput(data, size);
    return 0;
}
