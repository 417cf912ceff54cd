#pragma once
// The subcommands of mqttscope-cli. Each parses its own options (QCommandLineParser) and
// returns the process exit code: 0 success, 1 failure, 2 usage error.

#include "protocol/result.h"

#include <QStringList>

#include <vector>

class QCommandLineParser;

namespace mqs::cli {

int decodeCommand(const QStringList &arguments);
int captureCommand(const QStringList &arguments);
int analyzeCommand(const QStringList &arguments);
int pubCommand(const QStringList &arguments);
int subCommand(const QStringList &arguments);
int historyCommand(const QStringList &arguments);
int brokerCommand(const QStringList &arguments);
int demoCommand(const QStringList &arguments);
int runCommand(const QStringList &arguments);
int probeCommand(const QStringList &arguments);
int proxyCommand(const QStringList &arguments);

// " Give the broker's port with --port." when a capture had no MQTT on the ports named, else empty.
QString portAdvice(const Problem &problem);
// decode's and analyze's --port: the one port given, or none (1883, 8883 and any stream that
// starts with a CONNECT, as the window looks for MQTT).
[[nodiscard]] Result<std::vector<quint16>> capturePorts(const QCommandLineParser &parser);
// " Give the broker's CA with --cafile, ..." after a TLS problem with the broker (its certificate,
// the handshake), else empty: core says what failed, these are the options that change it.
QString tlsAdvice(const Problem &problem);
// Shared: prints "mqttscope-cli CMD: <text>" and the --help hint to stderr; returns 2.
int usageError(const QString &command, const QString &text);
// Writes a line to stdout / stderr, flushed at once (so piped output keeps up).
void out(const QString &line);
void err(const QString &line);

} // namespace mqs::cli
