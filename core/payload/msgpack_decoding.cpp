#include "msgpack_decoding.h"

#include <QCborArray>
#include <QCborMap>
#include <QDateTime>
#include <QtEndian>

#include <msgpack.hpp>

#include <limits>
#include <vector>

namespace mqs {
namespace {

// Nesting beyond this is refused rather than followed: no real payload nests so deep, and a
// hostile one (a few bytes of 0x91 each) must not grow the stack without bound.
constexpr int kMaxNesting = 256;
// The MessagePack spec's timestamp extension type.
constexpr int8_t kTimestampExtType = -1;

// An open array or map while its elements arrive.
struct OpenContainer {
    bool isMap = false;
    QCborArray array{};
    QCborMap map{};
    QCborValue key{};
    bool expectingKey = true;
};

QCborValue timestampOf(const char *data, uint32_t size)
{
    const auto *bytes = reinterpret_cast<const uchar *>(data);
    // MessagePack spec, "Timestamp extension type": 32, 64 or 96 bits.
    if (size == 4)
        return QCborValue(QDateTime::fromSecsSinceEpoch(qFromBigEndian<quint32>(bytes), Qt::UTC));
    if (size == 8) {
        const quint64 both = qFromBigEndian<quint64>(bytes);
        const qint64 ms = qint64(both & 0x3FFFFFFFFull) * 1000 + qint64(both >> 34) / 1000000;
        return QCborValue(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC));
    }
    if (size == 12) {
        const qint64 seconds = qFromBigEndian<qint64>(bytes + 4);
        return QCborValue(QDateTime::fromMSecsSinceEpoch(seconds * 1000 + qFromBigEndian<quint32>(bytes) / 1000000, Qt::UTC));
    }
    return {};
}

// msgpack-cxx's visitor interface: called in document order, builds the tree as it goes.
class CborBuilder
{
public:
    QCborValue root{};
    QString problem{};

    bool visit_nil() { return deliver(QCborValue(QCborValue::Null)); }
    bool visit_boolean(bool v) { return deliver(QCborValue(v)); }
    bool visit_positive_integer(uint64_t v)
    {
        // QCborValue holds signed 64 bits; larger unsigned values keep their magnitude as a double.
        return deliver(v > uint64_t(std::numeric_limits<qint64>::max()) ? QCborValue(double(v)) : QCborValue(qint64(v)));
    }
    bool visit_negative_integer(int64_t v) { return deliver(QCborValue(qint64(v))); }
    bool visit_float32(float v) { return deliver(QCborValue(double(v))); }
    bool visit_float64(double v) { return deliver(QCborValue(v)); }
    bool visit_str(const char *v, uint32_t size) { return deliver(QCborValue(QString::fromUtf8(v, qsizetype(size)))); }
    bool visit_bin(const char *v, uint32_t size) { return deliver(QCborValue(QByteArray(v, qsizetype(size)))); }
    bool visit_ext(const char *v, uint32_t size)
    {
        // `size` counts the type byte in front of the data.
        const auto type = int8_t(v[0]);
        if (type == kTimestampExtType)
            if (QCborValue time = timestampOf(v + 1, size - 1); !time.isUndefined())
                return deliver(time);
        return deliver(QCborValue(kMessagePackExtTag, QCborArray{type, QByteArray(v + 1, qsizetype(size - 1))}));
    }
    bool start_array(uint32_t) { return open(false); }
    bool start_array_item() { return true; }
    bool end_array_item() { return true; }
    bool end_array() { return close(); }
    bool start_map(uint32_t) { return open(true); }
    bool start_map_key() { return true; }
    bool end_map_key() { return true; }
    bool start_map_value() { return true; }
    bool end_map_value() { return true; }
    bool end_map() { return close(); }
    void parse_error(size_t, size_t errorOffset)
    {
        problem = QStringLiteral("Not MessagePack: byte %1 (0x%2) is not a MessagePack type.")
                      .arg(errorOffset)
                      .arg(uint(m_payload[qsizetype(errorOffset)]) & 0xFF, 2, 16, QLatin1Char('0'));
    }
    void insufficient_bytes(size_t, size_t)
    {
        problem = QStringLiteral("Not MessagePack: the payload ends at byte %1 in the middle of a value.").arg(m_payload.size());
    }
    bool referenced() const { return false; }
    void set_referenced(bool) {}

    explicit CborBuilder(const QByteArray &payload) : m_payload(payload) {}

private:
    bool open(bool isMap)
    {
        if (m_open.size() >= kMaxNesting) {
            problem = QStringLiteral("Not MessagePack: nested more than %1 levels deep.").arg(kMaxNesting);
            return false;
        }
        m_open.push_back(OpenContainer{.isMap = isMap});
        return true;
    }
    bool close()
    {
        OpenContainer done = std::move(m_open.back());
        m_open.pop_back();
        return deliver(done.isMap ? QCborValue(done.map) : QCborValue(done.array));
    }
    bool deliver(QCborValue value)
    {
        if (m_open.empty()) {
            root = std::move(value);
            return true;
        }
        OpenContainer &top = m_open.back();
        if (!top.isMap)
            top.array.append(std::move(value));
        else if (top.expectingKey)
            top.key = std::move(value);
        else
            top.map.insert(top.key, std::move(value));
        top.expectingKey = !top.expectingKey || !top.isMap;
        return true;
    }

    const QByteArray &m_payload;
    std::vector<OpenContainer> m_open;
};

} // namespace

Result<QCborValue> decodeMessagePack(const QByteArray &payload)
{
    if (payload.isEmpty())
        return Problem{ProblemKind::InvalidInput, QStringLiteral("Not MessagePack: the payload is empty.")};
    CborBuilder builder(payload);
    std::size_t consumed = 0;
    bool complete = false;
    try {
        complete = msgpack::parse(payload.constData(), std::size_t(payload.size()), consumed, builder);
    } catch (const std::exception &e) { // sizes past msgpack-cxx's limits, allocation failure
        return Problem{ProblemKind::InvalidInput, QStringLiteral("Not MessagePack: %1.").arg(QString::fromUtf8(e.what()))};
    }
    if (!builder.problem.isEmpty() || !complete)
        return Problem{ProblemKind::InvalidInput,
                       builder.problem.isEmpty() ? QStringLiteral("Not MessagePack.") : builder.problem};
    if (consumed < std::size_t(payload.size()))
        return Problem{ProblemKind::InvalidInput, QStringLiteral("Not MessagePack: one value ends at byte %1 and %2 more bytes follow it.")
                                                      .arg(consumed)
                                                      .arg(std::size_t(payload.size()) - consumed)};
    return builder.root;
}

} // namespace mqs
