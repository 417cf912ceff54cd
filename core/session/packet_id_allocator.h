#pragma once
// Hands out packet identifiers that are not in use in one direction ([MQTT-2.2.1-3] client,
// [MQTT-2.2.1-4] server; 3.1.1 [MQTT-2.3.1-2]);
// PUBLISH, SUBSCRIBE and UNSUBSCRIBE share the set. An id is free again only when released.

#include "protocol/types.h"

#include <bitset>
#include <optional>

namespace mqs {

class PacketIdAllocator
{
public:
    // The next unused id after the last one handed out (wrapping, never 0), or nothing when
    // all 65,535 are in use.
    std::optional<PacketId> allocate();
    // Marks an id as used, e.g. for a flow restored from the store.
    void reserve(PacketId id);
    void release(PacketId id);
    bool isInUse(PacketId id) const { return m_used.test(id.value); }
    int inUse() const { return m_count; }
    void clear();

private:
    std::bitset<65536> m_used;
    quint16 m_last = 0;
    int m_count = 0;
};

} // namespace mqs
