#pragma once
// UTF-8 Encoded String rules of spec 1.5.4: well-formed UTF-8, no U+0000, no surrogates.

#include <QByteArrayView>
#include <QString>

#include <optional>

namespace mqs {

struct Utf8Problem {
    qsizetype offset; // byte offset of the offending sequence within the string
    QString what; // "U+0000", "a surrogate (U+D800)", "an overlong encoding", ...
};

// Nothing when `bytes` is a valid MQTT UTF-8 string; else where and why it is not.
std::optional<Utf8Problem> checkMqttUtf8(QByteArrayView bytes);

} // namespace mqs
