#pragma once
// What the user set up for decoding payloads: the "decode as" rules in order, the .proto files
// and the folders their imports are looked up in. Saved in the window's settings as JSON and
// loaded into a PayloadDecoders at start and after each edit.

#include "payload/payload_decoding.h"

#include <QJsonObject>
#include <QStringList>

#include <vector>

namespace mqs {

struct DecoderSetup {
    std::vector<DecodeRule> rules{};
    QStringList protoFiles{};
    QStringList importPaths{};
    bool operator==(const DecoderSetup &) const = default;
};

QJsonObject toJson(const DecoderSetup &setup);
// Rules whose decoder name is not known are left out (a newer version may have saved them).
DecoderSetup decoderSetupFromJson(const QJsonObject &json);

// Loads the rules and the .proto files into `decoders`; one sentence per file that did not load
// ("factory.proto:12:3: …"), in the order of the files.
[[nodiscard]] QStringList loadDecoderSetup(PayloadDecoders &decoders, const DecoderSetup &setup);

} // namespace mqs
