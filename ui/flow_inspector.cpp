#include "flow_inspector.h"

#include "flow_story.h"
#include "flow_table_columns.h"

#include "theme.h"

#include <QComboBox>
#include <QCursor>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTextDocument>
#include <QToolButton>
#include <QVBoxLayout>

#include <map>

namespace mqs {

FlowInspector::FlowInspector(Workbench &workbench, QWidget *parent)
    : QWidget(parent), m_workbench(workbench), m_model(workbench.trace(), workbench.flows())
{
    m_filter.setSourceModel(&m_model);
    connect(&workbench, &Workbench::batch, this, [this] { m_model.syncRows(); }); // the index changed
    m_filter.setNewestFirst(true);
    m_pane = new InspectorPane(workbench, this);
    m_split = new QSplitter(Qt::Horizontal, this);
    m_split->setObjectName(QStringLiteral("flowsSplit"));
    m_split->addWidget(buildTable());
    // The pane scrolls: below the table on a low screen it needs little height of its own.
    auto *paneScroll = new QScrollArea(this);
    paneScroll->setWidget(m_pane);
    paneScroll->setWidgetResizable(true);
    paneScroll->setFrameShape(QFrame::NoFrame);
    paneScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_split->addWidget(paneScroll);
    // Both sides scroll or wrap, so neither needs its full width: the tab fits a 1366-px screen.
    const int chars = fontMetrics().averageCharWidth();
    m_split->widget(0)->setMinimumWidth(30 * chars);
    paneScroll->setMinimumWidth(20 * chars);
    m_split->setStretchFactor(0, 3);
    m_split->setStretchFactor(1, 2);
    m_split->setSizes({110 * chars, 60 * chars}); // the pane shows its sentences and step times uncut
    connect(m_split, &QSplitter::splitterMoved, this, [this] { m_paneMoved = true; });
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_split, 1);
    layout->addWidget(buildActions());

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        showCurrent();
        if (!m_selecting)
            if (const auto flow = selectedFlow())
                emit flowSelected(*flow);
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &FlowInspector::updateActions);
    connect(&workbench, &Workbench::heldPacketsChanged, this, &FlowInspector::updateActions);
    showCurrent();
}

QWidget *FlowInspector::buildTable()
{
    auto *box = new QWidget(this);
    auto *filters = new QHBoxLayout;
    m_category = new QComboBox(box);
    m_category->addItem(tr("All flows"), FlowTableModel::Open | FlowTableModel::Stalled | FlowTableModel::Failed | FlowTableModel::Complete);
    m_category->addItem(tr("Open"), FlowTableModel::Open | FlowTableModel::Stalled);
    m_category->addItem(tr("Stalled"), int(FlowTableModel::Stalled));
    m_category->addItem(tr("Failed or abandoned"), int(FlowTableModel::Failed));
    m_category->addItem(tr("Complete"), int(FlowTableModel::Complete));
    m_category->setAccessibleName(tr("Show flows"));
    m_search = new QLineEdit(box);
    m_search->setPlaceholderText(tr("Packet id or topic"));
    m_search->setClearButtonEnabled(true);
    m_threshold = new QSpinBox(box);
    m_threshold->setRange(1, 3600);
    m_threshold->setSuffix(tr(" s"));
    m_threshold->setPrefix(tr("stalled after "));
    m_threshold->setValue(QSettings().value(QStringLiteral("inspector/stallThresholdSeconds"), 5).toInt());
    m_model.setStallThresholdMs(m_threshold->value() * 1000);
    filters->addWidget(m_category);
    filters->addWidget(m_search, 1);
    filters->addWidget(m_threshold);

    m_table = new QTableView(box);
    m_table->setObjectName(QStringLiteral("flowTable"));
    m_table->setModel(&m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection); // act on many held flows at once
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);
    m_table->setAlternatingRowColors(true);
    m_table->viewport()->installEventFilter(this); // rows hold still while the pointer is over them
    m_table->setTextElideMode(Qt::ElideRight); // the whole text is in the row's tooltip
    m_table->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    // Columns can be dragged into the order a user reads them in, and stay so. Their widths
    // follow the table's (fitFlowColumns on every resize), so every column stays in view.
    QHeaderView *header = m_table->horizontalHeader();
    header->setSectionsMovable(true);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter); // a narrow header cuts its name's end, not both sides
    header->setTextElideMode(Qt::ElideRight);
    header->restoreState(QSettings().value(QStringLiteral("inspector/columns")).toByteArray());
    fitFlowColumns(*m_table);
    auto saveColumns = [header] { QSettings().setValue(QStringLiteral("inspector/columns"), header->saveState()); };
    connect(header, &QHeaderView::sectionMoved, this, saveColumns);

    connect(m_category, &QComboBox::currentIndexChanged, this, [this] { m_filter.setCategories(m_category->currentData().toInt()); });
    connect(m_search, &QLineEdit::textChanged, &m_filter, &FlowFilterModel::setText);
    connect(m_threshold, &QSpinBox::valueChanged, this, [this](int seconds) {
        QSettings().setValue(QStringLiteral("inspector/stallThresholdSeconds"), seconds);
        m_model.setStallThresholdMs(seconds * 1000);
    });
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(filters);
    layout->addWidget(m_table, 1);
    return box;
}

QWidget *FlowInspector::buildActions()
{
    auto *box = new QWidget(this);
    m_quota = new QLabel(box);
    m_quota->setWordWrap(true); // a long list of ids must never widen the window
    m_quota->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_quota->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_release = new QPushButton(tr("&Release"), box);
    m_release->setObjectName(QStringLiteral("releaseSelected"));
    m_release->setToolTip(tr("Let the held packets of the selected flows cross"));
    m_drop = new QPushButton(tr("&Drop"), box);
    m_drop->setObjectName(QStringLiteral("dropSelected"));
    m_drop->setToolTip(tr("Discard the held packets of the selected flows, as a lossy network would"));
    auto bulk = [this, box](const QString &text, const QString &name, HeldAction action) {
        auto *button = new QToolButton(box);
        button->setText(text);
        button->setObjectName(name);
        button->setPopupMode(QToolButton::InstantPopup);
        auto *menu = new QMenu(button);
        connect(menu, &QMenu::aboutToShow, this, [this, menu, action] { fillBulkMenu(menu, action); });
        button->setMenu(menu);
        return button;
    };
    m_releaseAll = bulk(tr("Release all held"), QStringLiteral("releaseAll"), HeldAction::Release);
    m_dropAll = bulk(tr("Drop all held"), QStringLiteral("dropAll"), HeldAction::Drop);
    m_cut = new QPushButton(tr("C&ut"), box);
    m_cut->setToolTip(tr("Cut the connection, as a network failure would"));
    m_cut->setObjectName(QStringLiteral("cutSelected"));
    m_reconnect = new QPushButton(tr("Reconnec&t"), box);
    m_reconnect->setObjectName(QStringLiteral("reconnectSelected"));
    // Two rows, so the tab fits a 1366-px screen: the quota and the bulk actions, then the
    // actions on the selection and its connection.
    auto *rows = new QVBoxLayout(box);
    rows->setContentsMargins(0, 0, 0, 0);
    auto *bulkRow = new QHBoxLayout;
    bulkRow->addWidget(m_quota, 1);
    bulkRow->addWidget(m_releaseAll);
    bulkRow->addWidget(m_dropAll);
    auto *actions = new QHBoxLayout;
    actions->addStretch(1);
    for (QWidget *b : std::initializer_list<QWidget *>{m_release, m_drop, m_cut, m_reconnect})
        actions->addWidget(b);
    rows->addLayout(bulkRow);
    rows->addLayout(actions);
    connect(m_release, &QPushButton::clicked, this, [this] {
        for (const Workbench::Held &h : heldOfSelection())
            m_workbench.release(h);
    });
    connect(m_drop, &QPushButton::clicked, this, [this] {
        for (const Workbench::Held &h : heldOfSelection())
            m_workbench.drop(h);
    });
    connect(m_cut, &QPushButton::clicked, this, [this] {
        if (const auto device = proxiedDeviceOfSelection()) {
            if (Status cut = device->first->proxy().cut(device->second); !cut)
                m_quota->setText(cut.sentence());
        } else if (Connection *c = connectionOfSelection()) {
            c->cut();
        }
    });
    connect(m_reconnect, &QPushButton::clicked, this, [this] {
        if (Connection *c = connectionOfSelection())
            c->reconnect();
    });
    return box;
}

namespace {
// The pane reads well from this many characters wide; narrower, it goes below the table.
constexpr int kPaneBesideChars = 45;
} // namespace

void FlowInspector::placePane()
{
    const int chars = fontMetrics().averageCharWidth();
    const int besideWidth = comfortableTableWidth(m_table->fontMetrics()) + m_split->handleWidth() + kPaneBesideChars * chars;
    const Qt::Orientation wanted = m_split->width() >= besideWidth ? Qt::Horizontal : Qt::Vertical;
    if (m_split->orientation() != wanted) {
        m_split->setOrientation(wanted);
        m_paneMoved = false;
    }
    if (m_paneMoved) // the user's split stands
        return;
    if (wanted == Qt::Horizontal)
        m_split->setSizes({m_split->width() - kPaneBesideChars * chars, kPaneBesideChars * chars});
    else // the table's rows above, the pane's sentences below
        m_split->setSizes({m_split->height() * 3 / 5, m_split->height() * 2 / 5});
}

void FlowInspector::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    placePane();
}

bool FlowInspector::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_table->viewport()) {
        if (event->type() == QEvent::Resize)
            fitFlowColumns(*m_table);
        if (event->type() == QEvent::Enter)
            m_filter.setReorderingPaused(true);
        else if (event->type() == QEvent::Leave)
            m_filter.setReorderingPaused(false);
    }
    return QWidget::eventFilter(watched, event);
}

void FlowInspector::refresh()
{
    // A Leave can go missing (a popup, the window losing focus, an Enter Qt synthesized from a
    // stale pointer position at start): reordering resumes once the pointer is really elsewhere.
    const QWidget *viewport = m_table->viewport();
    if (m_filter.reorderingPaused() && !viewport->rect().contains(viewport->mapFromGlobal(QCursor::pos())))
        m_filter.setReorderingPaused(false);
    m_model.refresh();
    updateActions();
    updateQuota();
    m_pane->refresh();
}

std::optional<FlowId> FlowInspector::selectedFlow() const
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid())
        return std::nullopt;
    return current.data(FlowTableModel::FlowIdRole).value<FlowId>();
}

QString FlowInspector::quotaLine() const
{
    QTextDocument html;
    html.setHtml(m_quota->text());
    return html.toPlainText();
}

std::vector<FlowId> FlowInspector::selectedFlows() const
{
    std::vector<FlowId> flows;
    for (const QModelIndex &row : m_table->selectionModel()->selectedRows())
        flows.push_back(row.data(FlowTableModel::FlowIdRole).value<FlowId>());
    std::sort(flows.begin(), flows.end());
    return flows;
}

void FlowInspector::selectFlow(std::optional<FlowId> flow)
{
    const auto row = flow ? m_workbench.flows().rowOf(*flow) : std::nullopt;
    if (!row)
        return;
    const QModelIndex source = m_model.index(int(*row), 0);
    QModelIndex proxy = m_filter.mapFromSource(source);
    if (!proxy.isValid()) { // filtered out: show every flow so the selection can be seen
        m_category->setCurrentIndex(0);
        m_search->clear();
        proxy = m_filter.mapFromSource(source);
    }
    m_selecting = true;
    m_table->selectionModel()->setCurrentIndex(proxy, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(proxy);
    m_selecting = false;
}

void FlowInspector::showCurrent()
{
    const auto flow = selectedFlow();
    m_pane->showFlow(flow);
    std::vector<FlowId> linked = flow ? m_workbench.flows().hopsOf(*flow) : std::vector<FlowId>{};
    m_model.setLinked(linked);
    emit linkedFlowsChanged(std::move(linked));
    updateActions();
    updateQuota(); // the line under the table speaks of the selected flow's connection, as the pane does
}

Connection *FlowInspector::connectionOfSelection() const
{
    const auto flow = selectedFlow();
    const FlowRecord *f = flow ? m_workbench.flows().find(*flow) : nullptr;
    if (!f)
        return m_workbench.current();
    const ConnectionId id = f->key.connection;
    if (Connection *c = m_workbench.connectionByTraceId(id))
        return c;
    // a sandbox broker lane: act on the app's connection of that client
    const auto record = m_workbench.trace().connection(id);
    if (!record || record->role != ConnectionRole::BrokerSide)
        return nullptr; // a proxied device is not the app's connection, whatever its client id
    for (Connection *c : m_workbench.connections())
        if (c->settings().clientId == record->clientId)
            return c;
    return nullptr;
}

std::optional<std::pair<WindowProxy *, ConnectionId>> FlowInspector::proxiedDeviceOfSelection() const
{
    const auto flow = selectedFlow();
    const FlowRecord *f = flow ? m_workbench.flows().find(*flow) : nullptr;
    WindowProxy *proxy = f ? m_workbench.proxyOf(f->key.connection) : nullptr;
    if (!proxy)
        return std::nullopt;
    return std::make_pair(proxy, f->key.connection);
}

std::optional<Workbench::Held> FlowInspector::heldPacketOf(const FlowRecord &f) const
{
    if (!f.heldEvent)
        return std::nullopt;
    const ConnectionId connection = f.key.connection;
    const auto record = m_workbench.trace().connection(connection);
    for (const Workbench::Held &h : m_workbench.heldPackets()) {
        const bool sameConnection = h.connection ? h.connection->traceId() == connection
                                    : h.proxy    ? h.packet.owner == connection
                                                 : (record && record->role == ConnectionRole::BrokerSide && h.packet.clientId == record->clientId);
        if (sameConnection && h.packet.packetId == f.key.packetId && h.packet.type == f.heldType)
            return h;
    }
    return std::nullopt;
}

std::vector<Workbench::Held> FlowInspector::heldOfSelection() const
{
    std::vector<Workbench::Held> held;
    for (FlowId id : selectedFlows())
        if (const FlowRecord *f = m_workbench.flows().find(id))
            if (const auto h = heldPacketOf(*f))
                held.push_back(*h);
    return held;
}

const FaultRuleSet *FlowInspector::rulesOf(const Workbench::Held &held) const
{
    if (held.connection)
        return &held.connection->faults();
    if (held.proxy)
        return &held.proxy->faults();
    return m_workbench.demo() ? &m_workbench.demo()->broker().faults() : nullptr;
}

int FlowInspector::actOnHeld(HeldAction action, const std::function<bool(const Workbench::Held &)> &which)
{
    int acted = 0;
    for (const Workbench::Held &h : m_workbench.heldPackets())
        if (which(h))
            acted += (action == HeldAction::Release ? m_workbench.release(h) : m_workbench.drop(h)) ? 1 : 0;
    return acted;
}

int FlowInspector::releaseHeldBy(const FaultRuleSet *rules, quint32 ruleId)
{
    return actOnHeld(HeldAction::Release,
                     [&](const Workbench::Held &h) { return h.packet.ruleId == ruleId && rulesOf(h) == rules; });
}

void FlowInspector::fillBulkMenu(QMenu *menu, HeldAction action)
{
    menu->clear();
    const std::vector<Workbench::Held> held = m_workbench.heldPackets();
    const QString verb = action == HeldAction::Release ? tr("Release") : tr("Drop");
    QAction *all = menu->addAction(tr("%1 everything held (%L2)").arg(verb).arg(held.size()));
    all->setEnabled(!held.empty());
    connect(all, &QAction::triggered, this, [this, action] { actOnHeld(action, [](const Workbench::Held &) { return true; }); });
    // (rule set, rule) and connection, each with its count, in a stable order.
    std::map<std::pair<const FaultRuleSet *, quint32>, std::pair<QString, int>> byRule;
    std::map<QString, int> byConnection;
    auto connectionName = [](const Workbench::Held &h) {
        if (h.proxy)
            return tr("%1 ⇄ %2").arg(h.proxy->title(), h.packet.clientId);
        return h.connection ? h.connection->settings().name : tr("sandbox broker ⇄ %1").arg(h.packet.clientId);
    };
    auto ownerName = [](const Workbench::Held &h) {
        return h.connection ? h.connection->settings().name : h.proxy ? h.proxy->title() : tr("sandbox broker");
    };
    for (const Workbench::Held &h : held) {
        auto &[name, count] = byRule[{rulesOf(h), h.packet.ruleId}];
        name = tr("rule '%1' (%2)").arg(h.packet.ruleName, ownerName(h));
        ++count;
        ++byConnection[connectionName(h)];
    }
    menu->addSection(tr("Per rule"));
    for (const auto &[key, entry] : byRule)
        connect(menu->addAction(tr("%1 held by %2 (%L3)").arg(verb, entry.first).arg(entry.second)), &QAction::triggered, this,
                [this, action, key] {
                    actOnHeld(action, [&](const Workbench::Held &h) { return rulesOf(h) == key.first && h.packet.ruleId == key.second; });
                });
    menu->addSection(tr("Per connection"));
    for (const auto &[name, count] : byConnection)
        connect(menu->addAction(tr("%1 held on %2 (%L3)").arg(verb, name).arg(count)), &QAction::triggered, this,
                [this, action, name, connectionName] {
                    actOnHeld(action, [&](const Workbench::Held &h) { return connectionName(h) == name; });
                });
}

void FlowInspector::updateActions()
{
    const bool held = !heldOfSelection().empty();
    m_release->setEnabled(held);
    m_drop->setEnabled(held);
    const bool anyHeld = !m_workbench.heldPackets().empty();
    m_releaseAll->setEnabled(anyHeld);
    m_dropAll->setEnabled(anyHeld);
    if (const auto device = proxiedDeviceOfSelection()) { // a device is cut, never reconnected, by us
        const auto d = device->first->device(device->second);
        m_cut->setEnabled(d && d->state != ProxyDeviceState::Closed);
        m_reconnect->setEnabled(false);
        return;
    }
    Connection *c = connectionOfSelection();
    m_cut->setEnabled(c && c->state() == ConnectionState::Connected);
    m_reconnect->setEnabled(c != nullptr);
}

// The send quota of the selected flow's connection (the one the Inspector speaks of, and the Cut
// and Reconnect buttons act on), else the current connection's; in the Inspector's words.
void FlowInspector::updateQuota()
{
    Connection *c = connectionOfSelection();
    if (!c)
        c = m_workbench.current();
    if (!c || c->state() != ConnectionState::Connected) {
        m_quota->setText(c ? tr("%1: %2").arg(c->settings().name, connectionStateName(c->state())) : QString());
        return;
    }
    const Session &s = c->session();
    auto ids = [](const std::vector<PacketId> &list) {
        QStringList parts;
        for (std::size_t i = 0; i < list.size() && i < 8; ++i)
            parts << QString::number(list[i].value);
        if (list.size() > 8)
            parts << QStringLiteral("… (%L1)").arg(list.size());
        return parts.isEmpty() ? QStringLiteral("none") : parts.join(QStringLiteral(", "));
    };
    const FlowIndex &flows = m_workbench.flows();
    const QString quota = sendQuotaText(c);
    const QString name = c->settings().name;
    const QString text = tr("<b>%1</b>%2%3 · ids in flight out: %4 · in: %5")
                             .arg(name.toHtmlEscaped(), quota.mid(name.size()).toHtmlEscaped())
                             .arg(s.outbound().sendQuota() == 0 ? tr(" — <span style='color:%1'>window full</span>").arg(problemColor().name()) : QString())
                             .arg(ids(flows.inFlight(c->traceId(), Direction::Outbound)))
                             .arg(ids(flows.inFlight(c->traceId(), Direction::Inbound)));
    m_quota->setText(text);
}

} // namespace mqs
