#pragma once
// Reads the data representations of spec 1.5 from one packet's bytes, and optionally
// records every field it reads (name, value, byte range) for the packet-detail view.
// Internal to the codec: decoder.cpp catches the DecodeFailure it throws.

#include "reason_code.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <algorithm>
#include <vector>

namespace mqs {

// One decoded field: what it is, what it holds, where it lies in the packet's bytes.
struct PacketField {
    QString name;
    QString value;
    qsizetype offset = 0; // from the first byte of the packet
    qsizetype length = 0;
    int depth = 0; // 0 = top level, 1 = inside a property list or a subscription, ...
    bool operator==(const PacketField &) const = default;
};
using PacketLayout = std::vector<PacketField>;

// Thrown inside the codec only; never crosses decodePacket().
struct DecodeFailure {
    ReasonCode code;
    QString message;
    qsizetype offset;
};

// The last topic name a stream's decoder read, kept so that the next PUBLISH to the same topic
// (most of them, on a device's stream) skips decoding and checking its UTF-8 again.
struct RecentTopic {
    QByteArray utf8; // as it lies in the packet; empty when none was read yet
    QString topic;
};

class ByteReader
{
public:
    ByteReader(QByteArrayView data, qsizetype start, PacketLayout *layout, RecentTopic *recent = nullptr)
        : m_data(data), m_pos(start), m_layout(layout), m_recent(recent) {}

    qsizetype position() const { return m_pos; }
    qsizetype remaining() const { return m_data.size() - m_pos; }
    bool atEnd() const { return m_pos >= m_data.size(); }
    // The next byte without reading it; 0 at the end.
    quint8 peek() const { return atEnd() ? 0 : quint8(m_data[m_pos]); }

    void skip(qsizetype count) { m_pos += std::min(count, remaining()); }
    quint8 byte(const QString &name);
    quint16 twoByteInteger(const QString &name);
    quint32 fourByteInteger(const QString &name);
    quint32 variableByteInteger(const QString &name);
    QString utf8String(const QString &name);
    QByteArray binaryData(const QString &name);
    // The rest of the packet, as the payload.
    QByteArray rest(const QString &name);
    // When the next field is the recent topic's bytes, reads it into `topic` and says so; a
    // topic read otherwise (utf8String, then checked) is remembered by rememberTopic().
    bool readRecentTopic(const QString &name, QString &topic);
    void rememberTopic(qsizetype at, const QString &topic);

    // Whether fields are recorded (for the packet-detail view): when not, a caller skips
    // formatting their text, which forwarding and tracing each packet never read.
    bool recording() const { return m_layout != nullptr; }
    // Records a field read elsewhere (e.g. the fixed header), or changes the last one's text.
    void record(const QString &name, const QString &value, qsizetype offset, qsizetype length);
    void describeLast(const QString &value);
    // Fields recorded from now on are nested one level deeper (property lists, subscriptions).
    void enter() { ++m_depth; }
    // Replaces the fields recorded since `mark` by one spanning [from, position()).
    std::size_t mark() const { return m_layout ? m_layout->size() : 0; }
    void collapse(std::size_t mark, const QString &name, const QString &value, qsizetype from);
    void leave() { --m_depth; }

    [[noreturn]] void fail(ReasonCode code, const QString &message, qsizetype offset) const;
    [[noreturn]] void fail(ReasonCode code, const QString &message) const { fail(code, message, m_pos); }

private:
    void need(qsizetype count, const QString &name) const;
    // The bytes after a two-byte length, checked to be there; the position stays at their start.
    QByteArrayView lengthPrefixed(const QString &name);

    QByteArrayView m_data;
    qsizetype m_pos;
    PacketLayout *m_layout;
    RecentTopic *m_recent;
    int m_depth = 0;
};

} // namespace mqs
