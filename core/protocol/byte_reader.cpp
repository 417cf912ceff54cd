#include "byte_reader.h"

#include "utf8.h"

namespace mqs {

void ByteReader::fail(ReasonCode code, const QString &message, qsizetype offset) const
{
    throw DecodeFailure{code, message, offset};
}

void ByteReader::need(qsizetype count, const QString &name) const
{
    if (remaining() < count)
        fail(ReasonCode::MalformedPacket,
             QStringLiteral("%1 needs %2 byte(s) but only %3 remain in the packet").arg(name).arg(count).arg(remaining()));
}

void ByteReader::record(const QString &name, const QString &value, qsizetype offset, qsizetype length)
{
    if (m_layout)
        m_layout->push_back(PacketField{name, value, offset, length, m_depth});
}

void ByteReader::collapse(std::size_t mark, const QString &name, const QString &value, qsizetype from)
{
    if (!m_layout)
        return;
    m_layout->resize(std::min(mark, m_layout->size()));
    record(name, value, from, m_pos - from);
}

void ByteReader::describeLast(const QString &value)
{
    if (m_layout && !m_layout->empty())
        m_layout->back().value = value;
}

quint8 ByteReader::byte(const QString &name)
{
    need(1, name);
    const auto v = static_cast<quint8>(m_data[m_pos]);
    if (m_layout)
        record(name, QString::number(v), m_pos, 1);
    m_pos += 1;
    return v;
}

quint16 ByteReader::twoByteInteger(const QString &name)
{
    need(2, name);
    const auto v = static_cast<quint16>((quint8(m_data[m_pos]) << 8) | quint8(m_data[m_pos + 1]));
    if (m_layout)
        record(name, QString::number(v), m_pos, 2);
    m_pos += 2;
    return v;
}

quint32 ByteReader::fourByteInteger(const QString &name)
{
    need(4, name);
    quint32 v = 0;
    for (int i = 0; i < 4; ++i)
        v = (v << 8) | quint8(m_data[m_pos + i]);
    if (m_layout)
        record(name, QString::number(v), m_pos, 4);
    m_pos += 4;
    return v;
}

quint32 ByteReader::variableByteInteger(const QString &name)
{
    const qsizetype start = m_pos;
    quint32 value = 0;
    for (int i = 0; i < 4; ++i) {
        need(1, name);
        const auto b = static_cast<quint8>(m_data[m_pos++]);
        value |= quint32(b & 0x7F) << (7 * i);
        if (!(b & 0x80)) {
            // [MQTT-1.5.5-1] the minimum number of bytes: a trailing zero group is not minimal
            if (i > 0 && b == 0)
                fail(ReasonCode::MalformedPacket,
                     QStringLiteral("%1 is not encoded in the minimum number of bytes [MQTT-1.5.5-1]").arg(name), start);
            if (m_layout)
                record(name, QString::number(value), start, m_pos - start);
            return value;
        }
    }
    fail(ReasonCode::MalformedPacket,
         QStringLiteral("%1 is longer than 4 bytes (a Variable Byte Integer has at most 4)").arg(name), start);
}

QByteArrayView ByteReader::lengthPrefixed(const QString &name)
{
    const qsizetype start = m_pos;
    need(2, name);
    const int length = (quint8(m_data[m_pos]) << 8) | quint8(m_data[m_pos + 1]);
    m_pos += 2;
    if (remaining() < length)
        fail(ReasonCode::MalformedPacket,
             QStringLiteral("%1 declares %2 byte(s) but only %3 remain in the packet")
                 .arg(name).arg(length).arg(remaining()),
             start);
    return m_data.sliced(m_pos, length);
}

QString ByteReader::utf8String(const QString &name)
{
    const qsizetype start = m_pos;
    const QByteArrayView bytes = lengthPrefixed(name);
    if (const auto problem = checkMqttUtf8(bytes))
        fail(ReasonCode::MalformedPacket,
             QStringLiteral("%1 is not valid UTF-8 for MQTT: it contains %2").arg(name, problem->what),
             m_pos + problem->offset);
    m_pos += bytes.size();
    QString text = QString::fromUtf8(bytes);
    if (m_layout)
        record(name, QLatin1Char('"') + text + QLatin1Char('"'), start, m_pos - start);
    return text;
}

bool ByteReader::readRecentTopic(const QString &name, QString &topic)
{
    if (!m_recent || m_recent->utf8.isEmpty() || remaining() < 2 + m_recent->utf8.size())
        return false;
    const qsizetype start = m_pos;
    const QByteArrayView bytes = m_data.sliced(m_pos + 2, m_recent->utf8.size());
    const qsizetype length = (quint8(m_data[m_pos]) << 8) | quint8(m_data[m_pos + 1]);
    if (length != bytes.size() || bytes != QByteArrayView(m_recent->utf8))
        return false;
    m_pos += 2 + length;
    topic = m_recent->topic;
    if (m_layout)
        record(name, QLatin1Char('"') + topic + QLatin1Char('"'), start, m_pos - start);
    return true;
}

void ByteReader::rememberTopic(qsizetype at, const QString &topic)
{
    if (!m_recent || topic.isEmpty())
        return;
    const qsizetype length = (quint8(m_data[at]) << 8) | quint8(m_data[at + 1]);
    m_recent->utf8 = m_data.sliced(at + 2, length).toByteArray();
    m_recent->topic = topic;
}

QByteArray ByteReader::binaryData(const QString &name)
{
    const qsizetype start = m_pos;
    QByteArray data = lengthPrefixed(name).toByteArray();
    m_pos += data.size();
    if (m_layout)
        record(name, QStringLiteral("%1 B").arg(data.size()), start, m_pos - start);
    return data;
}

QByteArray ByteReader::rest(const QString &name)
{
    const qsizetype start = m_pos;
    QByteArray data = m_data.sliced(m_pos).toByteArray();
    m_pos = m_data.size();
    if (m_layout)
        record(name, QStringLiteral("%1 B").arg(data.size()), start, data.size());
    return data;
}

} // namespace mqs
