#pragma once
// One fuzz input run through the decoder the way a connection would meet it. Shared by the
// libFuzzer target and the replay test, so both check the same properties:
// - the decoder never crashes, asserts or leaks (the sanitizers watch);
// - every result is a packet or a ProtocolError with a reason code the spec defines;
// - every packet it accepts re-encodes to bytes that decode to the same packet.

#include "protocol/decoder.h"
#include "protocol/describe.h"
#include "protocol/encoder.h"

#include <cstdint>
#include <cstdlib>

namespace mqs::fuzz {

inline void check(bool condition, const char *what)
{
    if (!condition) {
        std::fprintf(stderr, "fuzz property violated: %s\n", what);
        std::abort();
    }
}

// The first byte picks the version, the chunk size and the maximum packet size.
inline void runDecoderInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return;
    const uint8_t control = data[0];
    const ProtocolVersion version = (control & 1) ? ProtocolVersion::V5 : ProtocolVersion::V311;
    const qsizetype chunk = 1 + ((control >> 1) & 0x1F);
    const quint32 maximum = (control & 0x40) ? 512 : kMaximumPossiblePacketSize;
    const QByteArrayView bytes(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));

    Decoder decoder(version, maximum);
    for (qsizetype at = 0; at < bytes.size(); at += chunk) {
        decoder.feed(bytes.sliced(at, std::min(chunk, bytes.size() - at)));
        while (true) {
            auto result = decoder.next();
            if (std::holds_alternative<NeedMoreBytes>(result))
                break;
            if (const auto *error = std::get_if<ProtocolError>(&result)) {
                const quint8 code = reasonValue(error->code);
                check(code >= 0x80 && reasonName(error->code) != QLatin1String("Unknown reason code"),
                      "an error carries a defined failure reason code");
                check(!error->message.isEmpty(), "an error has a sentence");
                return;
            }
            const auto &decoded = std::get<DecodedPacket>(result);
            const ProtocolVersion as = std::holds_alternative<Connect>(decoded.packet)
                ? std::get<Connect>(decoded.packet).version : decoder.version();
            const QByteArray again = encode(decoded.packet, as);
            const auto redecoded = decodePacket(again, as);
            check(std::holds_alternative<Packet>(redecoded), "a re-encoded packet decodes");
            check(std::get<Packet>(redecoded) == decoded.packet, "a re-encoded packet decodes to the same packet");
            (void)describe(decoded.packet);
            (void)breakdown(decoded.raw, as);
        }
    }
}

} // namespace mqs::fuzz
