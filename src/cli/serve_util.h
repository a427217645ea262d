// What the serving commands share (`serve`, `witness serve`): stopping on SIGTERM and SIGINT.
#ifndef VELLUM_CLI_SERVE_UTIL_H_
#define VELLUM_CLI_SERVE_UTIL_H_

#include <pthread.h>
#include <signal.h>

#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "cli/cli.h"
#include "node/ledger_view.h"

namespace vellum::cli {

// What a serving command adds after the URL it announces (node::LocalUrl) when it listens on
// every interface (0.0.0.0 or [::]), where that URL is only the loopback one.
inline std::string EveryInterface(const std::string& host) {
  return node::IsEveryInterface(host) ? " (every interface)" : "";
}

// Blocks SIGTERM and SIGINT in this thread, and so in every thread it starts (call it before
// any), for ServeUntilSignalled to take them with sigwait; returns the set.
inline sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// Prints the port, says "start" (`log_start`), serves until SIGTERM or SIGINT (taken by one
// thread with sigwait, which may safely stop the server) or until Run ends by itself, then says
// "stop". `Server` is a node::Node, a node::NodeSet or a node::WitnessServer.
template <typename Server>
int ServeUntilSignalled(Server& server, sigset_t signals, int port,
                        const std::function<void()>& log_start, const std::string& what,
                        nlohmann::json fields) {
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    server.Stop();
  });
  std::cout << port << std::endl;
  log_start();
  server.Run();
  server.log().Event("stop", "stopped serving " + what, std::move(fields));
  pthread_kill(waiter.native_handle(), SIGTERM);  // if Run ended on its own
  waiter.join();
  return kExitOk;
}

}  // namespace vellum::cli

#endif  // VELLUM_CLI_SERVE_UTIL_H_
