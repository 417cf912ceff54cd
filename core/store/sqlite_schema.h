#pragma once
// The tables of the SQLite session store and the way an older file is brought to them: what a
// file holds is readable by this code after openSchema(), or an error says why not.

#include "session_store.h"

#include <QSqlDatabase>

namespace mqs {

// Schema 1: every row and index repeats the scope and client id; history rows AUTOINCREMENT.
// Schema 2: a session is an integer (session_keys), flows are keyed by (session, packet id),
// and a delivery's row number packs its session and its place in that session's history.
constexpr int kSqliteSchemaVersion = 2;

// A delivery's row is session * kDeliveriesPerSession + its number in the session's history,
// so one session's history is one range of the table's own key: a commit appends to one b-tree
// instead of a table, an index on (session, row) and sqlite_sequence. 2^40 rows last 3,000
// years at 10,000 messages/s and leave room for 2^23 sessions in SQLite's 64-bit key.
constexpr qint64 kDeliveriesPerSession = qint64(1) << 40;
constexpr qint64 kMaximumSessions = (qint64(1) << 23) - 1;

// A sentence naming the store file, what failed and what to do.
Problem sqliteFailure(const QString &path, const QString &what, const QString &detail);

// Creates the tables of a new file, migrates a schema 1 file in one transaction, and refuses a
// file written by a newer schema (nothing is changed in it then).
Status openSchema(QSqlDatabase &db, const QString &path);

} // namespace mqs
