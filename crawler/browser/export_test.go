package browser

// RunDirPrefix lets the external tests (package browser_test, which can use
// browsertest) recognise a run directory.
const RunDirPrefix = runDirPrefix
