#include "main_window.h"

#include "theme.h"
#include "connection_list_model.h"
#include "capture_summary_view.h"
#include "fault_rules_panel.h"
#include "flow_inspector.h"
#include "messages_view.h"
#include "packet_detail_view.h"
#include "publish_panel.h"
#include "diagram_export.h"
#include "diagram_toolbar.h"
#include "sequence_diagram_view.h"
#include "subscribe_form.h"
#include "subscription_model.h"
#include "trace_memory.h"
#include "window_wording.h"

#include "trace/trace_export.h"

#include <QAction>
#include <QActionGroup>
#include <QFrame>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QImage>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QTreeView>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QSplitter>
#include <QStatusBar>
#include <QSvgGenerator>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

namespace mqs {

MainWindow::MainWindow(Options options, QWidget *parent)
    : QMainWindow(parent)
    , m_options(std::move(options))
    , m_workbench(std::make_unique<Workbench>(m_options.storePath))
    , m_settings(m_options.settingsPath)
    , m_profiles(m_settings)
{
    setWindowTitle(tr("MQTT Scope"));
    setWindowIcon(QIcon(QStringLiteral(":/mqttscope/icons/mqttscope.svg")));
    m_connectionList = new ConnectionListModel(*m_workbench, this);
    m_subscriptions = new SubscriptionModel(*m_workbench, this);

    auto *center = new QWidget(this);
    auto *centerLayout = new QVBoxLayout(center);
    centerLayout->setContentsMargins(0, 0, 0, 0);
    centerLayout->setSpacing(0);
    centerLayout->addWidget(buildDemoBanner());
    centerLayout->addWidget(buildCenter(), 1);
    setCentralWidget(center);
    buildDocks();
    buildScenarioDock();

    m_statusConnection = new QLabel(this);
    m_statusRate = new QLabel(this);
    m_statusFlows = new QLabel(this);
    m_statusStalled = new QLabel(this);
    m_statusTrace = new TraceMemoryLabel(this);
    statusBar()->addWidget(m_statusConnection, 1);
    // The offer a refusal by a broker that speaks only MQTT 3.1.1 makes (hidden until then).
    m_switchToV311 = new QPushButton(tr("Switch to MQTT 3.1.1 and reconnect"), this);
    m_switchToV311->setObjectName(QStringLiteral("switchToV311"));
    m_switchToV311->hide();
    connect(m_switchToV311, &QPushButton::clicked, this, &MainWindow::switchToV311);
    statusBar()->addPermanentWidget(m_switchToV311);
    statusBar()->addPermanentWidget(m_statusRate);
    statusBar()->addPermanentWidget(m_statusFlows);
    statusBar()->addPermanentWidget(m_statusStalled);
    statusBar()->addPermanentWidget(m_statusTrace);
    m_workbench->trace().setMemoryLimit(m_options.traceLimitMiB > 0 ? qint64(m_options.traceLimitMiB) * 1024 * 1024
                                                                     : m_settings.traceMemoryLimit());
    buildMenus();

    connect(m_workbench.get(), &Workbench::batch, this, &MainWindow::onBatch);
    connect(m_workbench.get(), &Workbench::problem, this, &MainWindow::showProblem);
    connect(m_workbench.get(), &Workbench::connectionAdded, this, [this](Connection *c) {
        connect(c, &Connection::errorOccurred, this,
                [this, c](const Problem &p) { showProblem(QStringLiteral("%1: %2").arg(c->settings().name, withWindowAdvice(p))); });
        connect(c, &Connection::stateChanged, this, &MainWindow::updateStatus);
        connect(c, &Connection::sessionEvent, this, [this, c](const SessionEvent &e) { offerWhatToDo(c, e); });
        updateFaultTargets();
    });
    connect(m_workbench.get(), &Workbench::connectionRemoved, this, &MainWindow::updateFaultTargets);
    connect(m_workbench.get(), &Workbench::currentChanged, this, [this](Connection *c) {
        m_connectionView->setCurrentIndex(m_connectionList->indexOf(c));
        if (const Profile *p = savedProfile(c); p && p->generator && !m_publish->isGenerating())
            m_publish->setGeneratorSettings(*p->generator);
        updateStatus();
    });
    connect(m_workbench.get(), &Workbench::demoChanged, this, [this](bool running) {
        m_demoBanner->setVisible(running);
        m_connectionView->setCurrentIndex(m_connectionList->indexOf(m_workbench->current()));
        m_startDemo->setEnabled(!running);
        if (SandboxDemo *demo = m_workbench->demo())
            m_demoText->setText(tr("<b>The demo is running:</b> a sandbox broker on %1, a living-room sensor publishing "
                                   "a reading at QoS 2 every %2 s, and a dashboard subscribed to sensors/#.")
                                    .arg(demo->broker().url())
                                    .arg(m_options.demoIntervalMs / 1000.0));
        updateFaultTargets();
    });
    auto *statusTimer = new QTimer(this);
    connect(statusTimer, &QTimer::timeout, this, [this] {
        m_inspector->refresh();
        updateStatus();
    });
    statusTimer->start(500);

    if (!m_workbench->storeProblem().isEmpty())
        showProblem(m_workbench->storeProblem());
    loadProfiles();
    followWork();
    followCaptures();
    followProxies();
    loadProxies();
    if (m_options.demo || (m_savedProfiles.empty() && m_workbench->proxies().empty() && m_options.capturePath.isEmpty()))
        QTimer::singleShot(0, this, &MainWindow::startDemo);
    if (!m_options.capturePath.isEmpty())
        QTimer::singleShot(0, this, [this] { openCapture(m_options.capturePath); });
    updateFaultTargets();
    updateStatus();
    restoreLastGeometry();
}

void MainWindow::buildDocks()
{
    constexpr int kPublishMinimumWidth = 400; // the message form's fields stay readable
    m_connectionsDock = new QDockWidget(tr("Connections"), this);
    m_connectionsDock->setObjectName(QStringLiteral("connections"));
    m_connectionsDock->setWidget(buildLeftPanel());
    addDockWidget(Qt::LeftDockWidgetArea, m_connectionsDock);
    m_publish = new PublishPanel(*m_workbench, m_settings, this);
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(m_publish);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_publishDock = new QDockWidget(tr("Publish"), this);
    m_publishDock->setObjectName(QStringLiteral("publish"));
    m_publishDock->setWidget(scroll);
    addDockWidget(Qt::RightDockWidgetArea, m_publishDock);
    m_publishDock->setMinimumWidth(kPublishMinimumWidth);
    for (QDockWidget *dock : {m_connectionsDock, m_publishDock}) // closable, and back from View
        dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable | QDockWidget::DockWidgetClosable);
    resizeDocks({m_connectionsDock, m_publishDock}, {290, 420}, Qt::Horizontal);
}

QWidget *MainWindow::buildDemoBanner()
{
    m_demoBanner = new QFrame(this);
    m_demoBanner->setObjectName(QStringLiteral("demoBanner"));
    m_demoBanner->setAutoFillBackground(true);
    QPalette palette = m_demoBanner->palette();
    palette.setColor(QPalette::Window, palette.color(QPalette::ToolTipBase));
    palette.setColor(QPalette::WindowText, palette.color(QPalette::ToolTipText));
    m_demoBanner->setPalette(palette);
    m_demoText = new QLabel(m_demoBanner);
    m_demoText->setWordWrap(true);
    auto *stop = new QPushButton(tr("Stop demo"), m_demoBanner);
    stop->setObjectName(QStringLiteral("stopDemo"));
    auto *row = new QHBoxLayout(m_demoBanner);
    row->addWidget(m_demoText, 1);
    row->addWidget(stop);
    m_demoBanner->hide();
    connect(stop, &QPushButton::clicked, this, &MainWindow::stopDemo);
    return m_demoBanner;
}

MainWindow::~MainWindow()
{
    // Hiding lays out the views, which ask their models, which read the workbench: hide while it
    // is still there (QWidget's destructor would hide after it is gone).
    hide();
    m_workbench.reset();
}

QWidget *MainWindow::buildLeftPanel()
{
    auto *panel = new QWidget(this);
    m_connectionView = new QTreeView(panel); // a proxy's devices stand beneath it
    m_connectionView->setObjectName(QStringLiteral("connectionList"));
    m_connectionView->setModel(m_connectionList);
    m_connectionView->setHeaderHidden(true);
    m_connectionView->setRootIsDecorated(false);
    m_connectionView->setItemsExpandable(false);
    m_connectionView->setUniformRowHeights(false);
    m_connectionView->setAccessibleName(tr("Connections"));
    auto *add = new QPushButton(tr("New…"), panel);
    auto *edit = new QPushButton(tr("Edit…"), panel);
    auto *toggle = new QPushButton(tr("Connect / disconnect"), panel);
    add->setToolTip(tr("New connection (Ctrl+N)"));
    toggle->setToolTip(tr("Ctrl+K"));
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(edit);
    buttons->addWidget(toggle, 1);

    auto *subscribeForm = new SubscribeForm(*m_subscriptions, panel);
    auto *unsubscribe = new QPushButton(tr("Unsubscribe"), panel);
    m_subscriptionView = new QTableView(panel);
    m_subscriptionView->setModel(m_subscriptions);
    m_subscriptionView->verticalHeader()->hide();
    m_subscriptionView->horizontalHeader()->setStretchLastSection(true);
    m_subscriptionView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_subscriptionView->horizontalHeader()->setSectionResizeMode(SubscriptionModel::Filter, QHeaderView::Stretch);
    m_subscriptionView->horizontalHeader()->setSectionResizeMode(SubscriptionModel::Requested, QHeaderView::ResizeToContents);
    m_subscriptionView->horizontalHeader()->setSectionResizeMode(SubscriptionModel::Granted, QHeaderView::ResizeToContents);
    m_subscriptionView->setAlternatingRowColors(true);
    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_connectionView, 2);
    layout->addLayout(buttons);
    auto *heading = new QLabel(tr("<b>Subscriptions</b> of the selected connection"), panel);
    layout->addSpacing(6);
    layout->addWidget(heading);
    layout->addWidget(subscribeForm);
    layout->addWidget(m_subscriptionView, 1);
    layout->addWidget(unsubscribe);

    connect(add, &QPushButton::clicked, this, &MainWindow::newConnection);
    connect(edit, &QPushButton::clicked, this, &MainWindow::editConnection);
    connect(toggle, &QPushButton::clicked, this, &MainWindow::toggleConnection);
    connect(m_connectionView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) {
                if (Connection *c = m_connectionList->connection(current))
                    m_workbench->setCurrent(c);
            });
    connect(m_connectionView, &QTreeView::doubleClicked, this, &MainWindow::toggleConnection);
    connect(unsubscribe, &QPushButton::clicked, this, [this] { m_subscriptions->remove(m_subscriptionView->currentIndex().row()); });
    return panel;
}

QWidget *MainWindow::buildCenter()
{
    m_diagram = new SequenceDiagramView(m_workbench->trace(), m_workbench->flows(), this);
    m_inspector = new FlowInspector(*m_workbench, this);
    m_packet = new PacketDetailView(m_workbench->trace(), this);
    m_messages = new MessagesView(*m_workbench, m_settings, this);
    m_faults = new FaultRulesPanel(this);

    QToolBar *bar = buildDiagramToolBar(m_diagram, *m_workbench, m_settings, this);
    auto *diagramBox = new QWidget(this);
    auto *diagramLayout = new QVBoxLayout(diagramBox);
    diagramLayout->setContentsMargins(0, 0, 0, 0);
    diagramLayout->setSpacing(0);
    diagramLayout->addWidget(bar);
    m_traceFullBar = new TraceFullBar(this);
    connect(m_traceFullBar, &TraceFullBar::saveRequested, this, &MainWindow::saveTraceAs);
    connect(m_traceFullBar, &TraceFullBar::raiseLimitRequested, this, &MainWindow::chooseTraceMemoryLimit);
    diagramLayout->addWidget(m_traceFullBar);
    diagramLayout->addWidget(m_diagram, 1);

    m_tabs = new QTabWidget(this);
    m_tabs->addTab(m_inspector, tr("Flows"));
    m_tabs->addTab(m_packet, tr("Packet"));
    m_tabs->addTab(m_messages, tr("Messages"));
    m_tabs->addTab(m_faults, tr("Fault rules"));
    m_captureSummary = new CaptureSummaryView(this);
    m_tabs->addTab(m_captureSummary, tr("Capture"));
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(diagramBox);
    split->addWidget(m_tabs);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    connect(m_diagram, &SequenceDiagramView::packetSelected, this, [this](quint64 s) { m_packet->showPacket(s); });
    connect(m_diagram, &SequenceDiagramView::flowSelected, m_inspector, &FlowInspector::selectFlow);
    connect(m_inspector, &FlowInspector::flowSelected, this, [this](FlowId flow) {
        m_diagram->selectFlow(flow);
        if (const auto packet = m_diagram->selectedPacket())
            m_packet->showPacket(*packet);
    });
    connect(m_inspector, &FlowInspector::linkedFlowsChanged, m_diagram, &SequenceDiagramView::setLinkedFlows);
    connect(m_faults, &FaultRulesPanel::rulesChanged, this, [this] { m_inspector->refresh(); });
    connect(m_faults, &FaultRulesPanel::ruleRetired, m_inspector,
            [this](FaultRuleSet *rules, quint32 id) { m_inspector->releaseHeldBy(rules, id); });
    connect(m_workbench.get(), &Workbench::faultRuleActed, m_faults, &FaultRulesPanel::showHits);
    return split;
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New connection…"), QKeySequence::New, this, &MainWindow::newConnection);
    buildCaptureMenu(file);
    file->addSeparator();
    file->addAction(tr("Export trace as &pcap…"), this, &MainWindow::saveTraceAs);
    file->addAction(tr("Export trace as &JSON Lines…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export trace"), QStringLiteral("trace.jsonl"), tr("JSON Lines (*.jsonl)"));
        if (!path.isEmpty())
            exportTrace(path);
    });
    auto exportAs = [this](const QString &caption, const QString &name, bool selectedFlow) {
        const QString path = QFileDialog::getSaveFileName(this, caption, name, tr("SVG (*.svg);;PNG (*.png)"));
        if (path.isEmpty())
            return;
        int scale = 1;
        if (path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive)) { // sharp on high-density screens and in print
            bool ok = false;
            const QStringList scales{tr("1× (screen)"), tr("2×"), tr("3×")};
            const QString chosen = QInputDialog::getItem(this, caption, tr("PNG scale:"), scales, 1, false, &ok);
            if (!ok)
                return;
            scale = int(scales.indexOf(chosen)) + 1;
        }
        exportDiagram(path, selectedFlow, scale);
    };
    file->addAction(tr("Export diagram as &SVG or PNG…"), this, [this, exportAs] { exportAs(tr("Export diagram"), QStringLiteral("diagram.svg"), false); });
    file->addAction(tr("Export selected &flow as SVG or PNG…"), this, [this, exportAs] { exportAs(tr("Export flow"), QStringLiteral("flow.svg"), true); });
    file->addSeparator();
    file->addAction(tr("Trace memory &limit…"), this, &MainWindow::chooseTraceMemoryLimit);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu *connection = menuBar()->addMenu(tr("&Connection"));
    connection->addAction(tr("New &proxy…"), this, &MainWindow::newProxy)->setObjectName(QStringLiteral("newProxy"));
    connection->addAction(tr("Connect / &disconnect"), QKeySequence(Qt::CTRL | Qt::Key_K), this, &MainWindow::toggleConnection);
    connection->addAction(tr("&Reconnect"), QKeySequence(Qt::Key_F5), this, &MainWindow::reconnect);
    connection->addAction(tr("C&ut (as a network failure would)"), this, [this] {
        if (cutSelectedDevice())
            return;
        if (Connection *c = m_workbench->current())
            c->cut();
    });
    connection->addAction(tr("&Edit…"), this, &MainWindow::editConnection);
    connection->addAction(tr("Re&move"), this, [this] {
        if (WindowProxy *p = selectedProxy())
            return removeProxy(p);
        Connection *c = m_workbench->current();
        if (!c || QMessageBox::question(this, tr("Remove connection"), tr("Remove %1?").arg(c->settings().name)) != QMessageBox::Yes)
            return;
        const QString name = c->settings().name;
        m_workbench->removeConnection(c);
        std::erase_if(m_savedProfiles, [&](const Profile &p) { return p.settings.name == name; });
        saveProfiles();
    });

    buildSandboxMenu();
    buildToolsMenu();

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_connectionsDock->toggleViewAction());
    view->addAction(m_publishDock->toggleViewAction());
    view->addAction(m_scenarioDock->toggleViewAction());
    view->addSeparator();
    view->addAction(tr("&Follow new packets"), QKeySequence(Qt::Key_End), m_diagram, [this] { m_diagram->setFollowing(true); });
    view->addAction(tr("Zoom &in"), QKeySequence::ZoomIn, m_diagram, [this] { m_diagram->zoomBy(1); });
    view->addAction(tr("Zoom &out"), QKeySequence::ZoomOut, m_diagram, [this] { m_diagram->zoomBy(-1); });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("How to read the &diagram"), this, [this] {
        QMessageBox::information(this, tr("How to read the diagram"),
                                 tr("<p>Each lane is a party: your connections and the broker. Time flows down. Each arrow "
                                    "is one packet, from its sender to its receiver, coloured by its type (the key is under the diagram).</p>"
                                    "<p>A QoS 2 message crosses each hop in its own four-packet handshake with that "
                                    "hop's own packet id: PUBLISH and PUBREL come from the sender of the PUBLISH, PUBREC "
                                    "and PUBCOMP from its receiver. The arrows of one flow are tied by a bracket left of the lanes.</p>"
                                    "<p>Drag a lane's name to move it; right-click it to hide it. <i>Freeze</i> holds the "
                                    "picture while traffic goes on; <i>High rate</i> groups bursts of like packets.</p>"
                                    "<p>‖ a packet held by a fault rule (with its running time), ✕ a dropped one, DUP a "
                                    "resend, ⟲ a resumed session, ✂ a cut connection, ⚠ the peer broke a rule. "
                                    "“⋯ 2.0 s ⋯” folds an idle pause.</p>"));
    });
    help->addAction(tr("&About MQTT Scope"), this, [this] {
        QMessageBox::about(this, tr("About MQTT Scope"),
                           tr("<b>MQTT Scope</b> %1<br>A debugging client for MQTT 3.1.1 and 5.0 that shows the "
                              "protocol's own state.").arg(QApplication::applicationVersion()));
    });
}

void MainWindow::buildSandboxMenu()
{
    QMenu *sandbox = menuBar()->addMenu(tr("&Sandbox"));
    m_startDemo = sandbox->addAction(tr("Start the &demo"), QKeySequence(Qt::CTRL | Qt::Key_D), this, &MainWindow::startDemo);
    sandbox->addAction(tr("S&top the demo"), this, &MainWindow::stopDemo);
    sandbox->addSeparator();
    sandbox->addAction(tr("Restart the broker &keeping its state"), this, [this] {
        if (SandboxDemo *demo = m_workbench->demo())
            if (const Status restarted = demo->broker().restart(true); !restarted)
                showProblem(restarted.sentence());
    });
    sandbox->addAction(tr("Restart the broker &losing its state"), this, [this] {
        if (SandboxDemo *demo = m_workbench->demo())
            if (const Status restarted = demo->broker().restart(false); !restarted)
                showProblem(restarted.sentence());
    });
    sandbox->addSeparator();
    // What the broker announces in CONNACK and enforces (5.0: Maximum QoS, Retain Available).
    QMenu *maximumQoS = sandbox->addMenu(tr("Broker's &maximum QoS"));
    auto *qosGroup = new QActionGroup(this);
    for (int qos = 0; qos <= 2; ++qos) {
        QAction *a = maximumQoS->addAction(tr("QoS %1").arg(qos));
        a->setObjectName(QStringLiteral("sandboxMaximumQoS%1").arg(qos));
        a->setCheckable(true);
        a->setChecked(qos == 2);
        qosGroup->addAction(a);
        connect(a, &QAction::triggered, this, [this, qos] {
            m_sandboxOptions.maximumQoS = qos == 2 ? std::nullopt : std::optional<QoS>(QoS(qos));
            restartDemoForOptions();
        });
    }
    QAction *retain = sandbox->addAction(tr("Broker keeps &retained messages"));
    retain->setObjectName(QStringLiteral("sandboxRetainAvailable"));
    retain->setCheckable(true);
    retain->setChecked(true);
    retain->setToolTip(tr("Off: the broker announces Retain Available 0 and refuses retained messages and wills."));
    connect(retain, &QAction::toggled, this, [this](bool on) {
        m_sandboxOptions.retainAvailable = on;
        restartDemoForOptions();
    });
}

void MainWindow::restartDemoForOptions()
{
    if (!m_workbench->demo())
        return; // applies when the demo starts
    stopDemo();
    startDemo();
    statusBar()->showMessage(tr("The demo restarted with the broker's new settings."), 5000);
}

void MainWindow::onBatch()
{
    m_statusTrace->update(m_workbench->trace()); // at the diagram's pace, so both tell one story
    m_traceFullBar->update(m_workbench->trace());
    m_diagram->refresh();
    m_messages->refresh();
}

void MainWindow::updateStatus()
{
    Connection *c = m_workbench->current();
    if (WindowProxy *p = selectedProxy())
        m_statusConnection->setText(proxyStatusText(p));
    else
        m_statusConnection->setText(c ? tr("%1: %2 (%3)").arg(c->settings().name, connectionStateName(c->state()), c->peerDescription())
                                      : tr("No connection"));
    m_statusRate->setText(tr("%1 packets/s").arg(m_workbench->packetRate(), 0, 'f', 1));
    m_statusFlows->setText(tr("%1 open flows").arg(m_inspector->model().openCount()));
    const int stalled = m_inspector->model().stalledCount();
    const int behind = c ? c->backlogPackets() : 0; // packets waiting unread: our delay, not the peer's
    m_statusStalled->setText(behind > 0 ? tr("%1 stalled; MQTT Scope is behind by %2 packets").arg(stalled).arg(behind)
                                        : tr("%1 stalled").arg(stalled));
    m_statusStalled->setStyleSheet(stalled ? QStringLiteral("color: %1; font-weight: bold;").arg(problemColor().name()) : QString());
    m_statusTrace->update(m_workbench->trace());
    m_traceFullBar->update(m_workbench->trace());
}

QString MainWindow::statusText() const
{
    return QStringList{m_statusConnection->text(), m_statusRate->text(), m_statusFlows->text(), m_statusStalled->text(),
                       m_statusTrace->text()}
        .join(QStringLiteral(" | "));
}

void MainWindow::updateFaultTargets()
{
    std::vector<std::pair<QString, FaultRuleSet *>> targets;
    for (Connection *c : m_workbench->connections())
        targets.emplace_back(c->settings().name, &c->faults());
    if (SandboxDemo *demo = m_workbench->demo())
        targets.emplace_back(tr("sandbox broker"), &demo->broker().faults());
    for (WindowProxy *p : m_workbench->proxies()) // out/in as seen from its devices
        targets.emplace_back(tr("%1 (out: toward the broker)").arg(p->title()), &p->faults());
    m_faults->setTargets(targets);
}

void MainWindow::showProblem(const QString &text)
{
    m_lastProblem = text;
    statusBar()->showMessage(text, 15000);
}

void MainWindow::offerWhatToDo(Connection *c, const SessionEvent &event)
{
    if (const auto *violation = std::get_if<PeerViolation>(&event); violation && violation->closes && violation->reason == ReasonCode::PacketTooLarge) {
        showProblem(packetTooLargeAdvice(c->settings()));
        return;
    }
    const auto *refused = std::get_if<ConnectionRefused>(&event);
    if (!refused || refused->reason != ReasonCode::UnsupportedProtocolVersion || c->settings().version != ProtocolVersion::V5)
        return;
    m_versionRefused = c;
    m_switchToV311->show();
}

void MainWindow::switchToV311()
{
    m_switchToV311->hide();
    Connection *c = m_versionRefused;
    m_versionRefused = nullptr;
    const auto &open = m_workbench->connections();
    if (!c || std::find(open.begin(), open.end(), c) == open.end())
        return;
    ConnectionSettings settings = c->settings();
    settings.version = ProtocolVersion::V311;
    c->setSettings(settings);
    for (Profile &p : m_savedProfiles)
        if (p.settings.name == settings.name)
            p.settings = settings;
    saveProfiles();
    c->open();
}

void MainWindow::toggleConnection()
{
    if (WindowProxy *p = selectedProxy())
        return toggleProxy(p);
    Connection *c = m_workbench->current();
    if (!c)
        return;
    if (c->state() == ConnectionState::Disconnected)
        c->open();
    else
        c->close();
}

void MainWindow::reconnect()
{
    if (Connection *c = m_workbench->current())
        c->reconnect();
}

void MainWindow::stopDemo()
{
    m_workbench->stopDemo();
}

void MainWindow::startDemo()
{
    SandboxDemo::Options options;
    options.broker = m_sandboxOptions;
    if (const Status started = m_workbench->startDemo(m_options.demoIntervalMs, options); !started) {
        showProblem(tr("The demo could not start: %1").arg(started.sentence()));
        return;
    }
    for (const QString &text : m_options.demoFaults) {
        auto rule = FaultRule::parse(text);
        if (!rule)
            showProblem(rule.sentence());
        else
            m_workbench->demo()->sensor().faults().add(*rule);
    }
    updateFaultTargets();
}

bool MainWindow::exportDiagram(const QString &path, bool selectedFlowsOnly, int pngScale)
{
    DiagramExportOptions options;
    options.scale = pngScale;
    if (selectedFlowsOnly) {
        const auto flow = m_diagram->selectedFlow();
        if (!flow) {
            showProblem(tr("Select a flow in the diagram or the inspector first."));
            return false;
        }
        options.flows.insert(*flow);
    }
    if (const Status exported = mqs::exportDiagram(*m_diagram, path, options); !exported) {
        showProblem(exported.sentence());
        return false;
    }
    return true;
}

bool MainWindow::exportTrace(const QString &path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        showProblem(tr("Could not write %1: %2.").arg(path, file.errorString()));
        return false;
    }
    const Status written = path.endsWith(QLatin1String(".jsonl"), Qt::CaseInsensitive) ? writeJsonLines(m_workbench->trace(), file)
                                                                                       : writePcap(m_workbench->trace(), file);
    if (!written || !file.commit()) {
        showProblem(!written ? written.sentence() : tr("Could not write %1: %2.").arg(path, file.errorString()));
        return false;
    }
    statusBar()->showMessage(tr("Trace written to %1.").arg(path), 5000);
    return true;
}

void MainWindow::saveTraceAs()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export trace"), QStringLiteral("trace.pcap"),
                                                      tr("Packet capture (*.pcap);;JSON Lines (*.jsonl)"));
    if (!path.isEmpty())
        exportTrace(path);
}

void MainWindow::chooseTraceMemoryLimit()
{
    constexpr qint64 kMiB = 1024 * 1024;
    constexpr int kMinMiB = 16; // below this the trace holds only seconds of a busy connection
    constexpr int kMaxMiB = 64 * 1024;
    bool ok = false;
    const int mib = QInputDialog::getInt(this, tr("Trace memory limit"),
                                         tr("Keep up to this many MiB of packets in memory; past it, the oldest are "
                                            "dropped (the diagram marks where). It is using %1 now.")
                                             .arg(mebibytes(m_workbench->trace().memoryBytes())),
                                         int(m_workbench->trace().memoryLimit() / kMiB), kMinMiB, kMaxMiB, 64, &ok);
    if (ok)
        setTraceMemoryLimit(qint64(mib) * kMiB);
}

void MainWindow::setTraceMemoryLimit(qint64 bytes)
{
    m_workbench->setTraceMemoryLimit(bytes);
    m_settings.setTraceMemoryLimit(bytes);
    updateStatus();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!stopToolsBeforeClosing()) {
        event->ignore();
        return;
    }
    m_settings.setWindowLayout(saveGeometry(), saveState());
    for (Connection *c : m_workbench->connections())
        c->close();
    event->accept();
}

} // namespace mqs
