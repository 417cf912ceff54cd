#pragma once
// Asks how fast to replay an import: the original spacing, a factor of it (0.5×, 2×, 10×) or any
// number of messages a second, typed or picked. What cannot be a pace is said under the field
// and OK waits until it is fixed.

#include "payload/replay_pace.h"

#include <QDialog>

#include <optional>

class QComboBox;
class QDialogButtonBox;
class QLabel;

namespace mqs {

class ReplayPaceDialog : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReplayPaceDialog)
public:
    // `messages`: how many the file holds, for the question.
    explicit ReplayPaceDialog(int messages, QWidget *parent = nullptr);

    // The pace typed or picked; empty while the text is not one.
    std::optional<ReplayPace> pace() const { return m_pace; }
    QComboBox *paceField() const { return m_field; }
    QLabel *errorLabel() const { return m_error; }
    bool canAccept() const;

    // Shows the dialog; the chosen pace, or nothing when cancelled.
    static std::optional<ReplayPace> ask(int messages, QWidget *parent);

private:
    void check(const QString &text);

    QComboBox *m_field = nullptr;
    QLabel *m_error = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    std::optional<ReplayPace> m_pace;
};

} // namespace mqs
