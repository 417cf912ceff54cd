#pragma once
// The sequence diagram's own controls, above it: Follow, Freeze, Compact, High rate (group
// bursts), zoom, and the Lanes menu (hide, show only, show all). The lane order the user drags
// into place is kept in the window's settings file.

#include <QToolBar>

namespace mqs {

class SequenceDiagramView;
class Settings;
class Workbench;

// Builds the toolbar for `view`, keeps its lane order in `settings` (which must outlive it) and
// takes removed connections' lanes away.
QToolBar *buildDiagramToolBar(SequenceDiagramView *view, Workbench &workbench, Settings &settings, QWidget *parent);

} // namespace mqs
