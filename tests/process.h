// Test helper: run a program to completion with given stdin, capturing stdout and stderr.
#ifndef VELLUM_TESTS_PROCESS_H_
#define VELLUM_TESTS_PROCESS_H_

#include <string>
#include <vector>

#include "node/node_process.h"

namespace vellum::testing {

struct RunResult {
  int exit_code = -1;  // -1 if the process did not exit normally
  std::string out, err;
};

// Runs argv[0] (looked up in PATH) with `input` on stdin. Blocks until it exits.
RunResult RunProgram(const std::vector<std::string>& argv, const std::string& input = "");

// Runs the vellum binary under test with `args`.
RunResult Vellum(const std::vector<std::string>& args, const std::string& input = "");

// Starts the vellum binary with `args` in the background; returns its pid.
int StartVellum(const std::vector<std::string>& args, const std::string& input_file);
// Waits for `pid`; returns its exit code (-1 if killed).
int WaitFor(int pid);

// A `vellum serve` child of the binary under test.
class NodeProcess : public node::NodeProcess {
 public:
  explicit NodeProcess(const std::string& ledger, const std::vector<std::string>& extra = {})
      : node::NodeProcess(VELLUM_BIN, ledger, extra) {}
};

}  // namespace vellum::testing

#endif  // VELLUM_TESTS_PROCESS_H_
