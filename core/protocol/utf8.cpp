#include "utf8.h"

namespace mqs {

std::optional<Utf8Problem> checkMqttUtf8(QByteArrayView bytes)
{
    const auto *s = reinterpret_cast<const unsigned char *>(bytes.data());
    const qsizetype n = bytes.size();
    qsizetype i = 0;
    while (i < n) {
        const unsigned char c = s[i];
        if (c == 0x00)
            return Utf8Problem{i, QStringLiteral("the null character U+0000 [MQTT-1.5.4-2]")};
        if (c < 0x80) {
            ++i;
            continue;
        }
        int length = 0;
        char32_t cp = 0;
        char32_t minimum = 0;
        if ((c & 0xE0) == 0xC0) {
            length = 2; cp = c & 0x1F; minimum = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            length = 3; cp = c & 0x0F; minimum = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            length = 4; cp = c & 0x07; minimum = 0x10000;
        } else {
            return Utf8Problem{i, QStringLiteral("an invalid UTF-8 lead byte 0x%1").arg(c, 2, 16, QLatin1Char('0'))};
        }
        if (i + length > n)
            return Utf8Problem{i, QStringLiteral("a truncated UTF-8 sequence")};
        for (int k = 1; k < length; ++k) {
            const unsigned char cc = s[i + k];
            if ((cc & 0xC0) != 0x80)
                return Utf8Problem{i, QStringLiteral("an invalid UTF-8 continuation byte 0x%1").arg(cc, 2, 16, QLatin1Char('0'))};
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (cp < minimum)
            return Utf8Problem{i, QStringLiteral("an overlong UTF-8 encoding")};
        if (cp >= 0xD800 && cp <= 0xDFFF)
            return Utf8Problem{i, QStringLiteral("a UTF-16 surrogate U+%1 [MQTT-1.5.4-1]")
                                         .arg(QString::number(quint32(cp), 16).toUpper())};
        if (cp > 0x10FFFF)
            return Utf8Problem{i, QStringLiteral("a code point beyond U+10FFFF")};
        i += length;
    }
    return std::nullopt;
}

} // namespace mqs
