#pragma once
// One lambda per alternative for std::visit: `std::visit(overloaded{[](const Publish &) {...}, ...}, packet)`.
// A visitor written this way does not compile until it handles every alternative (or says `auto` for the rest),
// so a new packet, event or store change shows every place that must learn about it.

namespace mqs {

template<typename... Handlers>
struct overloaded : Handlers... {
    using Handlers::operator()...;
};
template<typename... Handlers>
overloaded(Handlers...) -> overloaded<Handlers...>;

} // namespace mqs
