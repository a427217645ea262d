// Nothing but the test binaries' precompiled header, which both reuse (tests/CMakeLists.txt): a
// target of its own, so that neither binary waits for the other to link before compiling.
