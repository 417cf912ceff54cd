#include "flow_inspector.h"

#include "theme.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableView>
#include <QVBoxLayout>

namespace mqs {

FlowInspector::FlowInspector(Workbench &workbench, QWidget *parent)
    : QWidget(parent), m_workbench(workbench), m_model(workbench.trace(), workbench.flows())
{
    m_filter.setSourceModel(&m_model);
    connect(&workbench, &Workbench::batch, this, [this] { m_model.syncRows(); }); // the index changed
    m_filter.setNewestFirst(true);
    auto *filters = new QHBoxLayout;
    m_category = new QComboBox(this);
    m_category->addItem(tr("All flows"), FlowTableModel::Open | FlowTableModel::Stalled | FlowTableModel::Failed | FlowTableModel::Complete);
    m_category->addItem(tr("Open"), FlowTableModel::Open | FlowTableModel::Stalled);
    m_category->addItem(tr("Stalled"), int(FlowTableModel::Stalled));
    m_category->addItem(tr("Failed or abandoned"), int(FlowTableModel::Failed));
    m_category->addItem(tr("Complete"), int(FlowTableModel::Complete));
    m_category->setAccessibleName(tr("Show flows"));
    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Packet id or topic"));
    m_search->setClearButtonEnabled(true);
    auto *threshold = new QSpinBox(this);
    threshold->setRange(1, 3600);
    threshold->setSuffix(tr(" s"));
    threshold->setPrefix(tr("stalled after "));
    threshold->setValue(QSettings().value(QStringLiteral("inspector/stallThresholdSeconds"), 5).toInt());
    m_model.setStallThresholdMs(threshold->value() * 1000);
    filters->addWidget(m_category);
    filters->addWidget(m_search, 1);
    filters->addWidget(threshold);

    m_table = new QTableView(this);
    m_table->setModel(&m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);
    m_table->setAlternatingRowColors(true);
    const int w = fontMetrics().averageCharWidth();
    const std::pair<int, int> widths[] = {{FlowTableModel::Connection, 24}, {FlowTableModel::Direction_, 6},
                                          {FlowTableModel::Id, 6}, {FlowTableModel::Topic, 24},
                                          {FlowTableModel::QoS_, 6}, {FlowTableModel::State, 26},
                                          {FlowTableModel::Sentence, 60}, {FlowTableModel::Age, 7},
                                          {FlowTableModel::Resends, 8}, {FlowTableModel::Held, 6}};
    for (const auto &[column, chars] : widths)
        m_table->setColumnWidth(column, chars * w);
    // Columns can be dragged into the order a user reads them in, and stay so.
    QHeaderView *header = m_table->horizontalHeader();
    header->setSectionsMovable(true);
    header->restoreState(QSettings().value(QStringLiteral("inspector/columns")).toByteArray());
    auto saveColumns = [header] { QSettings().setValue(QStringLiteral("inspector/columns"), header->saveState()); };
    connect(header, &QHeaderView::sectionMoved, this, saveColumns);
    connect(header, &QHeaderView::sectionResized, this, saveColumns);

    m_sentence = new QLabel(this);
    m_sentence->setWordWrap(true);
    m_sentence->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_quota = new QLabel(this);
    m_quota->setWordWrap(true); // a long list of ids must never widen the window
    m_quota->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_quota->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_release = new QPushButton(tr("&Release held"), this);
    m_drop = new QPushButton(tr("&Drop held"), this);
    m_cut = new QPushButton(tr("C&ut connection"), this);
    m_reconnect = new QPushButton(tr("Reconnec&t"), this);
    auto *actions = new QHBoxLayout;
    actions->addWidget(m_quota, 1);
    for (QPushButton *b : {m_release, m_drop, m_cut, m_reconnect})
        actions->addWidget(b);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(filters);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_sentence);
    layout->addLayout(actions);

    connect(m_category, &QComboBox::currentIndexChanged, this, [this] { m_filter.setCategories(m_category->currentData().toInt()); });
    connect(m_search, &QLineEdit::textChanged, &m_filter, &FlowFilterModel::setText);
    connect(threshold, &QSpinBox::valueChanged, this, [this](int seconds) {
        QSettings().setValue(QStringLiteral("inspector/stallThresholdSeconds"), seconds);
        m_model.setStallThresholdMs(seconds * 1000);
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        updateActions();
        if (!m_selecting)
            if (const auto flow = selectedFlow())
                emit flowSelected(*flow);
    });
    connect(m_release, &QPushButton::clicked, this, [this] {
        if (const auto held = heldPacketOfSelection())
            m_workbench.release(*held);
    });
    connect(m_drop, &QPushButton::clicked, this, [this] {
        if (const auto held = heldPacketOfSelection())
            m_workbench.drop(*held);
    });
    connect(m_cut, &QPushButton::clicked, this, [this] {
        if (Connection *c = connectionOfSelection())
            c->cut();
    });
    connect(m_reconnect, &QPushButton::clicked, this, [this] {
        if (Connection *c = connectionOfSelection())
            c->reconnect();
    });
    updateActions();
}

void FlowInspector::refresh()
{
    m_model.refresh();
    updateActions();
    updateQuota();
}

std::optional<FlowId> FlowInspector::selectedFlow() const
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid())
        return std::nullopt;
    return current.data(FlowTableModel::FlowIdRole).value<FlowId>();
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
    m_table->setCurrentIndex(proxy);
    m_table->scrollTo(proxy);
    m_selecting = false;
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
    for (Connection *c : m_workbench.connections())
        if (record && c->settings().clientId == record->clientId)
            return c;
    return nullptr;
}

std::optional<Workbench::Held> FlowInspector::heldPacketOfSelection() const
{
    const auto flow = selectedFlow();
    const FlowRecord *f = flow ? m_workbench.flows().find(*flow) : nullptr;
    if (!f || !f->heldEvent)
        return std::nullopt;
    const ConnectionId connection = f->key.connection;
    const auto record = m_workbench.trace().connection(connection);
    for (const Workbench::Held &h : m_workbench.heldPackets()) {
        const bool sameConnection = h.connection ? h.connection->traceId() == connection
                                                 : (record && record->role == ConnectionRole::BrokerSide && h.packet.clientId == record->clientId);
        if (sameConnection && h.packet.packetId == f->key.packetId && h.packet.type == f->heldType)
            return h;
    }
    return std::nullopt;
}

void FlowInspector::updateActions()
{
    const auto flow = selectedFlow();
    const FlowRecord *f = flow ? m_workbench.flows().find(*flow) : nullptr;
    const bool held = heldPacketOfSelection().has_value();
    m_release->setEnabled(held);
    m_drop->setEnabled(held);
    Connection *c = connectionOfSelection();
    m_cut->setEnabled(c && c->state() == ConnectionState::Connected);
    m_reconnect->setEnabled(c != nullptr);
    m_sentence->setText(f ? m_workbench.flows().sentence(*f, m_workbench.trace().clock().nowUs())
                          : tr("Select a flow to see what it waits for."));
    const bool stalled = f && m_workbench.flows().isStalledBeyondBacklog(*f, m_workbench.trace().clock().nowUs(),
                                                                         qint64(m_model.stallThresholdMs()) * 1000);
    m_sentence->setStyleSheet(stalled ? QStringLiteral("color: %1; font-weight: bold;").arg(problemColor().name()) : QString());
}

void FlowInspector::updateQuota()
{
    Connection *c = m_workbench.current();
    if (!c || c->state() != ConnectionState::Connected) {
        m_quota->setText(c ? tr("%1: %2").arg(c->settings().name, connectionStateName(c->state())) : QString());
        return;
    }
    const Session &s = c->session();
    const int window = s.link().isV5() ? s.link().peerReceiveMaximum : 65535;
    const int inUse = s.outbound().inflight();
    auto ids = [](const std::vector<PacketId> &list) {
        QStringList parts;
        for (std::size_t i = 0; i < list.size() && i < 8; ++i)
            parts << QString::number(list[i].value);
        if (list.size() > 8)
            parts << QStringLiteral("… (%1)").arg(list.size());
        return parts.isEmpty() ? QStringLiteral("none") : parts.join(QStringLiteral(", "));
    };
    const FlowIndex &flows = m_workbench.flows();
    QString text = tr("<b>%1</b>: send quota %2 of %3 in use%4 · ids in flight out: %5 · in: %6")
                       .arg(c->settings().name.toHtmlEscaped())
                       .arg(inUse)
                       .arg(std::min(window, c->settings().session.maximumInflight))
                       .arg(s.outbound().sendQuota() == 0 ? tr(" — <span style='color:%1'>window full</span>").arg(problemColor().name()) : QString())
                       .arg(ids(flows.inFlight(c->traceId(), Direction::Outbound)))
                       .arg(ids(flows.inFlight(c->traceId(), Direction::Inbound)));
    if (s.outbound().queued() > 0)
        text += tr(" · %1 queued").arg(s.outbound().queued());
    m_quota->setText(text);
}

} // namespace mqs
