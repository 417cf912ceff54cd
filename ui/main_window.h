#pragma once
// The main window: connections and subscriptions on the left, the sequence diagram in the
// middle above the flow inspector, packet detail, messages and fault rules, the publish panel
// on the right, and a status bar with the packet rate, open flows and stalled ones in red.

#include "profile_store.h"
#include "settings.h"
#include "workbench.h"

#include <QMainWindow>
#include <QMap>

class QAction;
class QMenu;
class QProgressDialog;
class QDockWidget;
class QLabel;
class QPushButton;
class QTreeView;
class QTabWidget;
class QTableView;

namespace mqs {

class CaptureSummaryView;
class ChartPanel;
class SearchPanel;
class ConnectionListModel;
class FaultRulesPanel;
class FlowInspector;
class MessagesView;
class PacketDetailView;
class ProbeDialog;
class PublishPanel;
class ScenarioPanel;
class SequenceDiagramView;
class SubscriptionModel;
class TraceFullBar;
class TraceMemoryLabel;

class MainWindow : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    struct Options {
        bool demo = false; // start the demo (also when there are no saved connections)
        QString settingsPath; // empty: the user's settings
        QString storePath; // empty: the user's data folder
        int traceLimitMiB = 0; // 0: the limit in the settings
        int demoIntervalMs = 2000;
        QStringList demoFaults{}; // fault rules for the demo's sensor, e.g. "hold out PUBREL limit 1"
        QString capturePath{}; // a capture to open at start (then the demo does not start by itself)
    };

    explicit MainWindow(Options options, QWidget *parent = nullptr);
    ~MainWindow() override;

    Workbench &workbench() { return *m_workbench; }
    SequenceDiagramView *diagram() const { return m_diagram; }
    FlowInspector *inspector() const { return m_inspector; }
    PacketDetailView *packetDetail() const { return m_packet; }
    PublishPanel *publishPanel() const { return m_publish; }
    MessagesView *messages() const { return m_messages; }
    FaultRulesPanel *faultRules() const { return m_faults; }
    SubscriptionModel *subscriptions() const { return m_subscriptions; }
    QTabWidget *tabs() const { return m_tabs; }
    Settings &settings() { return m_settings; }
    // The bar above the diagram while the demo runs, with its Stop button.
    QWidget *demoBanner() const { return m_demoBanner; }
    QAction *startDemoAction() const { return m_startDemo; }
    QDockWidget *connectionsDock() const { return m_connectionsDock; }
    QDockWidget *publishDock() const { return m_publishDock; }
    QString statusText() const;
    QString lastProblem() const { return m_lastProblem; }

    // Adds (and saves) a connection; opens it when `open`.
    Connection *addConnection(const Profile &profile, bool open);
    // Adds (and saves) a proxy; starts it when `start` (a problem starting shows in its row and the status bar).
    WindowProxy *addProxy(const ProxyProfile &profile, bool start);
    // The proxy of the selected row in the connections list (its own row or one of its devices').
    WindowProxy *selectedProxy() const;
    // The device of the selected row, when it is a proxy's device.
    std::optional<ConnectionId> selectedDevice() const;
    QTreeView *connectionView() const { return m_connectionView; }
    // `pngScale`: device pixels per diagram pixel in a PNG (1 to 3).
    bool exportDiagram(const QString &path, bool selectedFlowsOnly, int pngScale = 1);
    QString hiddenLaneOf(FlowId flow) const;
    bool exportTrace(const QString &path);
    // Sets the trace's memory bound and keeps it in the settings.
    void setTraceMemoryLimit(qint64 bytes);
    TraceFullBar *traceFullBar() const { return m_traceFullBar; }

    // Plays a pcap or pcapng file into the diagram and the Flows tab (progress dialog, cancellable);
    // the Capture tab shows its summary when it ends. False (and the reason in the status bar) when
    // the file is not a capture.
    bool openCapture(const QString &path);
    // Starts capturing on `interfaceName` (frames saved to a temporary pcapng); false and the reason
    // (for missing rights, what to do) in lastProblem() when it cannot.
    bool startLiveCapture(const QString &interfaceName, std::vector<quint16> ports = {});
    // Stops the live capture; with `savePath`, keeps its frames there.
    bool stopLiveCapture(const QString &savePath = QString());
    CaptureSummaryView *captureSummary() const { return m_captureSummary; }
    ChartPanel *charts() const { return m_charts; }
    SearchPanel *search() const { return m_search; }

    // Tools (main_window_tools.cpp). Runs a scenario file in the window: its packets on the diagram,
    // its steps in the Scenario panel; a file that cannot be read says its line and field there.
    [[nodiscard]] Status runScenario(const QString &path, const QMap<QString, QString> &variables);
    ScenarioPanel *scenarioPanel() const { return m_scenarioPanel; }
    QDockWidget *scenarioDock() const { return m_scenarioDock; }
    // Tools ▸ Probe broker…: the dialog (made on first use), for the current connection's broker.
    ProbeDialog *openProbe();

public slots:
    void newConnection();
    void newProxy();
    void editProxy(mqs::WindowProxy *proxy);
    void removeProxy(mqs::WindowProxy *proxy);
    // Starts a stopped proxy, stops a running one.
    void toggleProxy(mqs::WindowProxy *proxy);
    void editConnection();
    // Offers the switch to 3.1.1 when a broker refused a 5.0 CONNECT for its protocol version.
    void offerWhatToDo(Connection *connection, const SessionEvent &event);
    void switchToV311();
    void toggleConnection();
    void reconnect();
    void startDemo();
    void stopDemo();
    void saveTraceAs();
    void chooseTraceMemoryLimit();
    void chooseCapture();
    void chooseCaptureInterface();
    // The decoder table (View ▸ Decode payloads as…); with a topic, a rule for it is started.
    void chooseDecoders(const QString &topic = QString(), const mqs::DecoderChoice &decoder = {});
    void chooseScenario();

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    QWidget *buildLeftPanel();
    QWidget *buildDemoBanner();
    void buildDocks();
    void buildSandboxMenu();
    void restartDemoForOptions();
    // Applies an edited profile to `c` (at its next connect, or now when `reconnectNow`) and saves it.
    void applyEdit(Connection *c, const Profile &edited, bool reconnectNow);
    void closeThenOpen(Connection *c, const ConnectionSettings &edited);
    void loadProfiles();
    // Proxies (main_window_proxies.cpp): restored from the settings, kept there as they change.
    void loadProxies();
    void saveProxies();
    void followProxies();
    void startProxy(WindowProxy *proxy);
    QString proxyStatusText(WindowProxy *proxy) const;
    // Cuts the selected device of a proxy; false when a proxy's device is not what is selected.
    bool cutSelectedDevice();
    // Adds a saved connection with its subscriptions and fault rules; opens it when the profile says so.
    void restoreConnection(const Profile &profile);
    void followWork(); // keeps each saved connection's subscriptions, rules and generator in its profile
    void restoreLastGeometry();
    void keepWithinScreen();
    Profile *savedProfile(const Connection *connection);
    // The saved connections with their live settings, whose password came from the keychain.
    std::vector<Profile> profilesWithPasswords() const;
    QWidget *buildCenter();
    void buildMenus();
    void onBatch();
    void updateStatus();
    void updateFaultTargets();
    void saveProfiles();
    void showProblem(const QString &text);
    void buildCaptureMenu(QMenu *file);
    // The Charts and Search tabs, and their links to the Messages tab (main_window_charts.cpp).
    void buildChartsAndSearch();
    void followCaptures();
    void showCaptureSummary(const CaptureSummary &summary);
    // Decoders (main_window_decoders.cpp): the saved setup at start, the table's edits kept.
    void loadDecoders();
    void applyDecoderSetup(const DecoderSetup &setup);
    void buildToolsMenu();
    void buildScenarioDock();
    // Selects these flows on the diagram and the Flows tab (the first current, the others emphasised).
    void selectFlows(const std::vector<FlowId> &flows);
    // The broker a scenario or the probe is offered: the current connection's, or the demo's.
    QString offeredBrokerUrl() const;
    // Closing waits for a scenario or the probe to stop: they run inside the window's call stack.
    bool stopToolsBeforeClosing();

    Options m_options;
    std::unique_ptr<Workbench> m_workbench;
    Settings m_settings;
    ProfileStore m_profiles;
    BrokerOptions m_sandboxOptions; // the demo's broker: Maximum QoS, Retain Available
    std::vector<Profile> m_savedProfiles;
    ConnectionListModel *m_connectionList = nullptr;
    SubscriptionModel *m_subscriptions = nullptr;
    QTreeView *m_connectionView = nullptr;
    QTableView *m_subscriptionView = nullptr;
    SequenceDiagramView *m_diagram = nullptr;
    FlowInspector *m_inspector = nullptr;
    PacketDetailView *m_packet = nullptr;
    MessagesView *m_messages = nullptr;
    FaultRulesPanel *m_faults = nullptr;
    PublishPanel *m_publish = nullptr;
    QTabWidget *m_tabs = nullptr;
    QWidget *m_demoBanner = nullptr;
    QLabel *m_demoText = nullptr;
    QAction *m_startDemo = nullptr;
    QDockWidget *m_connectionsDock = nullptr;
    QDockWidget *m_publishDock = nullptr;
    QPushButton *m_switchToV311 = nullptr;
    Connection *m_versionRefused = nullptr; // the connection the offer to switch to 3.1.1 is for
    QLabel *m_statusConnection = nullptr;
    QLabel *m_statusRate = nullptr;
    QLabel *m_statusFlows = nullptr;
    QLabel *m_statusStalled = nullptr;
    TraceMemoryLabel *m_statusTrace = nullptr;
    TraceFullBar *m_traceFullBar = nullptr;
    CaptureSummaryView *m_captureSummary = nullptr;
    ChartPanel *m_charts = nullptr;
    SearchPanel *m_search = nullptr;
    QProgressDialog *m_captureProgress = nullptr;
    QAction *m_stopCapture = nullptr;
    QString m_liveCapturePath; // the temporary pcapng of the live capture
    QString m_lastProblem;
    ScenarioPanel *m_scenarioPanel = nullptr;
    QDockWidget *m_scenarioDock = nullptr;
    ProbeDialog *m_probe = nullptr;
    bool m_placed = false; // kept within the screen when first shown
};

} // namespace mqs
