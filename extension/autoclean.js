// Registered with content.js for the sites the reader asked to clean automatically (see
// background.js, syncAutoClean): cleans the page once it is idle, then watches for late widgets.
globalThis.unsponsorRun(globalThis.UnsponsorCommands.AUTO);
