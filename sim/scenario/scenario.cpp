// Names of sites, fault verbs and RPC errors, as scenario files and messages write them.
#include "sim/scenario/scenario.hpp"

namespace treedoc::sim {

const char* to_string(FaultVerb v) {
  switch (v) {
    case FaultVerb::kPartition: return "partition";
    case FaultVerb::kCut: return "cut";
    case FaultVerb::kHeal: return "heal";
    case FaultVerb::kCrash: return "crash";
    case FaultVerb::kRestart: return "restart";
    case FaultVerb::kPause: return "pause";
    case FaultVerb::kLossBurst: return "loss_burst";
    case FaultVerb::kRpcFailure: return "rpc_failure";
  }
  return "?";
}

const char* to_string(RpcError e) {
  switch (e) {
    case RpcError::kAuth: return "auth";
    case RpcError::kRefused: return "refused";
    case RpcError::kTimeout: return "timeout";
  }
  return "?";
}

std::string site_name(const Topology& t, SiteIndex i) {
  return i < t.core ? "c" + std::to_string(i) : "n" + std::to_string(i - t.core);
}

}  // namespace treedoc::sim
