#include "packet_id_allocator.h"

namespace mqs {

std::optional<PacketId> PacketIdAllocator::allocate()
{
    if (m_count >= 65535)
        return std::nullopt;
    quint16 candidate = m_last;
    do {
        candidate = candidate == 65535 ? 1 : quint16(candidate + 1);
    } while (m_used.test(candidate));
    reserve(candidate);
    m_last = candidate;
    return PacketId(candidate);
}

void PacketIdAllocator::reserve(PacketId id)
{
    if (!id.isValid() || m_used.test(id.value))
        return;
    m_used.set(id.value);
    ++m_count;
}

void PacketIdAllocator::release(PacketId id)
{
    if (!id.isValid() || !m_used.test(id.value))
        return;
    m_used.reset(id.value);
    --m_count;
}

void PacketIdAllocator::clear()
{
    m_used.reset();
    m_count = 0;
}

} // namespace mqs
