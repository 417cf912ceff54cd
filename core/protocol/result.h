#pragma once
// One shape of failure for all of core: a Problem says what went wrong, in a sentence a person
// can act on, with a closed kind so callers can branch without parsing words. Core says what
// went wrong; each front end (window, CLI) says what to do about it ("pass --insecure",
// "untick Verify certificate"). Result<T> is a value or a Problem, and must not be dropped.

#include <QString>

#include <cassert>
#include <utility>
#include <variant>

namespace mqs {

enum class ProblemKind : quint8 {
    InvalidInput, // a value the user gave breaks a rule: a topic, a URL, an option, a scenario field
    Protocol, // bytes broke MQTT: malformed, or a rule of the specification
    Refused, // the peer said no: CONNACK, SUBACK or an acknowledgement with a reason >= 0x80
    Network, // unreachable, reset, timed out, closed
    Tls, // a certificate or the TLS handshake
    Store, // the session store could not commit or load
    File, // a file could not be read or written, or is not of the expected format
    Limit, // a size, quota or memory bound would be exceeded
    State, // not possible now: not connected, already running, nothing held
    Privileges, // the operating system refused: capture needs rights, a port below 1024
};

struct Problem {
    ProblemKind kind = ProblemKind::InvalidInput;
    QString sentence{};
    bool operator==(const Problem &) const = default;
};

// A T, or the Problem that kept it from being made.
template<class T>
class [[nodiscard]] Result
{
public:
    Result(T value) : m_value(std::move(value)) {}
    Result(Problem problem) : m_value(std::move(problem)) {}

    bool ok() const { return m_value.index() == 0; }
    explicit operator bool() const { return ok(); }

    const T &value() const & { assert(ok()); return std::get<0>(m_value); }
    T &value() & { assert(ok()); return std::get<0>(m_value); }
    T &&value() && { assert(ok()); return std::get<0>(std::move(m_value)); }
    const T &operator*() const & { return value(); }
    T &operator*() & { return value(); }
    const T *operator->() const { return &value(); }
    T *operator->() { return &value(); }

    const Problem &problem() const { assert(!ok()); return std::get<1>(m_value); }
    // The sentence, or empty when there is no problem.
    QString sentence() const { return ok() ? QString() : problem().sentence; }

private:
    std::variant<T, Problem> m_value;
};

// Success with nothing to return, or a Problem.
template<>
class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Problem problem) : m_problem(std::move(problem)), m_failed(true) {}

    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const Problem &problem() const { assert(m_failed); return m_problem; }
    QString sentence() const { return m_failed ? m_problem.sentence : QString(); }

private:
    Problem m_problem{};
    bool m_failed = false;
};

using Status = Result<void>;

inline Problem problem(ProblemKind kind, QString sentence) { return Problem{kind, std::move(sentence)}; }

} // namespace mqs
