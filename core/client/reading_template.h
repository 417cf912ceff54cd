#pragma once
// Test readings from a template: "{\"t\": {{walk 21.5 ±0.2}}, \"seq\": {{seq}}}" renders to a new
// value each time. Fields:
//   {{seq}}                      1, 2, 3, ... per render (a ReadingSeries keeps counting across publishes)
//   {{counter}}                  0, 1, 2, ... (the same sequence, from 0)
//   {{now}}                      ISO 8601 time with milliseconds (UTC)
//   {{uuid}}                     a random UUID
//   {{random 18..26 step 0.1}}   uniform in [18, 26], on a 0.1 grid ("step" optional, default 1)
//   {{walk 21.5 ±0.2}}           a random walk from 21.5, at most 0.2 each step ("+-" works too)
//   {{pick livingroom,kitchen}}  one of the words, at random
// Unknown fields are an error, not left in the payload.

#include "protocol/result.h"

#include <QRandomGenerator>
#include <QString>

#include <optional>
#include <variant>
#include <vector>

namespace mqs {

class ReadingTemplate
{
public:
    // The template, or an InvalidInput problem naming the field that is wrong.
    static Result<ReadingTemplate> parse(const QString &text, quint32 seed = 0);

    QString render();
    bool isConstant() const; // no fields: every render is the same
    int rendered() const { return m_rendered; }

private:
    struct Field {
        enum Kind { Literal, Seq, Counter, Now, Uuid, Random, Walk, Pick } kind = Literal;
        QString text{}; // Literal
        double a = 0, b = 0, step = 1; // Random: a..b step; Walk: start ± b
        std::vector<QString> words{}; // Pick
        double value = 0; // Walk's current value
        int decimals = 0;
    };

    std::vector<Field> m_fields;
    QRandomGenerator m_random;
    int m_rendered = 0;
};

// The readings of one template text over many publishes (Publish clicks and generator runs
// alike): parsed once, so {{seq}} keeps counting and {{walk}} keeps walking. A different text
// starts a new series at {{seq}} 1, as does restart().
class ReadingSeries
{
public:
    // The next reading of `text`, or an InvalidInput problem naming the field that is wrong.
    Result<QString> next(const QString &text);
    // The next reading is {{seq}} 1 again (and {{walk}} starts from its first value).
    void restart();
    // Readings rendered in this series so far: the last {{seq}} given.
    int rendered() const { return m_template ? m_template->rendered() : 0; }

private:
    QString m_text;
    std::optional<ReadingTemplate> m_template;
};

} // namespace mqs
