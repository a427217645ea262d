// C2SP tlog-policy: parsing, and checking a checkpoint against a policy's logs and quorum.
#include <algorithm>
#include <map>
#include <string>

#include "common/utf8.h"
#include "vellum/witness.h"
#include "witness/text.h"

namespace vellum {
namespace {

bool IsPolicySpace(char c) { return c == ' ' || c == '\t'; }

// Allowed octets: tab, newline, printable ASCII and every octet with the high bit set.
bool IsPolicyOctet(unsigned char c) { return c == '\t' || c == '\n' || (c >= 0x20 && c != 0x7f); }

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsPolicySpace(line[i])) ++i;
    size_t start = i;
    while (i < line.size() && !IsPolicySpace(line[i])) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

std::unexpected<Error> Bad(size_t line_number, const std::string& why) {
  return Fail(ErrorCode::kInvalidArgument,
              "policy line " + std::to_string(line_number) + ": " + why);
}

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

Result<Policy> Policy::Parse(std::string_view text) {
  if (text.size() > kMaxPolicyBytes) {
    return Fail(ErrorCode::kInvalidArgument, "a policy is at most 1 MiB");
  }
  Policy policy;
  std::map<std::string, size_t, std::less<>> names;  // witness and group names -> member index
  bool have_quorum = false;
  size_t number = 0;
  // Members are numbered as they are defined; witnesses and groups are renumbered at the end
  // (witnesses first), since a group may be defined between two witnesses.
  struct Member {
    bool is_group;
    size_t index;
  };
  std::vector<Member> defined;
  std::vector<std::vector<size_t>> group_members;  // in `defined` numbering
  long quorum_defined = -1;
  while (!text.empty()) {
    ++number;
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    for (unsigned char c : line) {
      if (!IsPolicyOctet(c)) {
        return Bad(number, std::string("control character (only tab and newline may appear)") +
                               (line.ends_with('\r') ? ": the line ends in CR LF, where a "
                                                       "policy's lines end in LF alone"
                                                     : ""));
      }
    }
    const auto fields = Fields(line);
    if (fields.empty() || fields[0].starts_with('#')) continue;
    const std::string_view keyword = fields[0];
    if (keyword == "log") {
      if (fields.size() < 2 || fields.size() > 3) return Bad(number, "want: log <vkey> [<url>]");
      auto key = VerifierKey::Parse(fields[1]);
      if (!key) return Bad(number, key.error().message());
      if (key->type() != KeyType::kNote) {
        return Bad(number, "a log's key must be a note key (type 0x01), not a cosigner key");
      }
      for (const PolicyLog& log : policy.logs_) {
        if (log.key.public_key() == key->public_key()) return Bad(number, "duplicate log key");
      }
      if (policy.logs_.size() == kMaxPolicyItems) return Bad(number, "too many logs");
      policy.logs_.push_back({std::move(*key), fields.size() == 3 ? std::string(fields[2]) : ""});
    } else if (keyword == "witness") {
      if (fields.size() < 3 || fields.size() > 4) {
        return Bad(number, "want: witness <name> <vkey> [<url>]");
      }
      const std::string name(fields[1]);
      if (name == "none" || names.contains(name)) {
        return Bad(number, "the name " + name + " is " + (name == "none" ? "reserved" : "taken"));
      }
      auto key = VerifierKey::Parse(fields[2]);
      if (!key) return Bad(number, key.error().message());
      if (key->type() != KeyType::kCosignature) {
        return Bad(number,
                   "a witness's key must be a cosigner key (type 0x04, C2SP tlog-cosignature)");
      }
      for (const PolicyWitness& w : policy.witnesses_) {
        if (w.key.public_key() == key->public_key()) return Bad(number, "duplicate witness key");
      }
      if (policy.witnesses_.size() == kMaxPolicyItems) return Bad(number, "too many witnesses");
      names.emplace(name, defined.size());
      defined.push_back({false, policy.witnesses_.size()});
      policy.witnesses_.push_back(
          {name, std::move(*key), fields.size() == 4 ? std::string(fields[3]) : ""});
    } else if (keyword == "group") {
      if (fields.size() < 4) return Bad(number, "want: group <name> all|any|<k> <name>...");
      const std::string name(fields[1]);
      if (name == "none" || names.contains(name)) {
        return Bad(number, "the name " + name + " is " + (name == "none" ? "reserved" : "taken"));
      }
      std::vector<size_t> members;
      for (size_t i = 3; i < fields.size(); ++i) {
        auto it = names.find(fields[i]);
        if (it == names.end()) {
          return Bad(number, "member " + std::string(fields[i]) + " is not defined above");
        }
        if (std::find(members.begin(), members.end(), it->second) != members.end()) {
          return Bad(number, "member " + std::string(fields[i]) + " is listed twice");
        }
        members.push_back(it->second);
      }
      size_t threshold = 0;
      if (fields[2] == "all") {
        threshold = members.size();
      } else if (fields[2] == "any") {
        threshold = 1;
      } else {
        auto k = ParseDecimal(fields[2]);
        if (!k || *k < 1 || *k > members.size()) {
          return Bad(number, "the threshold must be all, any or a number from 1 to " +
                                 std::to_string(members.size()));
        }
        threshold = *k;
      }
      if (policy.groups_.size() == kMaxPolicyItems) return Bad(number, "too many groups");
      names.emplace(name, defined.size());
      defined.push_back({true, policy.groups_.size()});
      policy.groups_.push_back({name, threshold, {}});
      group_members.push_back(std::move(members));
    } else if (keyword == "quorum") {
      if (fields.size() != 2) return Bad(number, "want: quorum <name>");
      if (have_quorum) return Bad(number, "a policy has exactly one quorum line");
      have_quorum = true;
      if (fields[1] != "none") {
        auto it = names.find(fields[1]);
        if (it == names.end()) {
          return Bad(number, "quorum " + std::string(fields[1]) + " is not defined above");
        }
        quorum_defined = static_cast<long>(it->second);
      }
    } else {
      if (StartsWithByteOrderMark(keyword)) {
        return Bad(number,
                   "the file starts with a byte-order mark (U+FEFF), which no policy "
                   "line may; remove it");
      }
      return Bad(number, "unknown line '" + std::string(keyword) +
                             "' (want log, witness, group or quorum)");
    }
  }
  if (!have_quorum) {
    return Fail(ErrorCode::kInvalidArgument,
                "the policy has no quorum line (e.g. `quorum none`, or a witness or group)");
  }
  // From definition order to witnesses first, then groups.
  auto renumber = [&](size_t d) {
    return defined[d].is_group ? policy.witnesses_.size() + defined[d].index : defined[d].index;
  };
  for (size_t g = 0; g < policy.groups_.size(); ++g) {
    for (size_t d : group_members[g]) policy.groups_[g].members.push_back(renumber(d));
  }
  if (quorum_defined >= 0) policy.quorum_ = static_cast<long>(renumber(quorum_defined));
  return policy;
}

bool Policy::Satisfied(size_t member, const std::vector<bool>& cosigned) const {
  if (member < witnesses_.size()) return cosigned[member];
  const Group& group = groups_[member - witnesses_.size()];
  size_t count = 0;
  for (size_t m : group.members) count += Satisfied(m, cosigned) ? 1 : 0;
  return count >= group.threshold;
}

void Policy::Missing(size_t member, const std::vector<bool>& cosigned,
                     std::vector<std::string>& out) const {
  if (member < witnesses_.size()) {
    const std::string& name = witnesses_[member].name;
    if (!cosigned[member] && std::find(out.begin(), out.end(), name) == out.end()) {
      out.push_back(name);
    }
    return;
  }
  for (size_t m : groups_[member - witnesses_.size()].members) Missing(m, cosigned, out);
}

Result<QuorumReport> Policy::Quorum(const SignedNote& note) const {
  std::vector<bool> cosigned(witnesses_.size(), false);
  for (const NoteSignature& sig : note.signatures) {
    for (size_t i = 0; i < witnesses_.size(); ++i) {
      const VerifierKey& key = witnesses_[i].key;
      if (key.name() != sig.name || key.key_id() != sig.key_id) continue;
      auto ok = VerifyCosignature(key, note.text, sig);
      if (!ok) return std::unexpected(ok.error());
      cosigned[i] = true;
    }
  }
  QuorumReport report;
  for (size_t i = 0; i < witnesses_.size(); ++i) {
    if (cosigned[i]) report.cosigned.push_back(witnesses_[i].name);
  }
  report.met = quorum_ < 0 || Satisfied(static_cast<size_t>(quorum_), cosigned);
  if (!report.met) Missing(static_cast<size_t>(quorum_), cosigned, report.missing);
  return report;
}

Result<Checkpoint> Policy::Open(std::string_view note,
                                std::span<const VerifierKey> log_keys) const {
  auto parsed = ParseSignedNote(note);
  if (!parsed) return std::unexpected(parsed.error());
  std::vector<VerifierKey> keys;
  for (const PolicyLog& log : logs_) keys.push_back(log.key);
  if (keys.empty()) keys.assign(log_keys.begin(), log_keys.end());
  if (keys.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "no log key to check the checkpoint with: list the log in the policy (log "
                "<vkey>) or give its key");
  }
  auto signers = VerifyNote(*parsed, keys);
  if (!signers) return std::unexpected(signers.error());
  auto checkpoint = ParseCheckpointBody(parsed->text);
  if (!checkpoint) return std::unexpected(checkpoint.error());
  if (std::find(signers->begin(), signers->end(), checkpoint->origin) == signers->end()) {
    return Fail(ErrorCode::kVerificationFailed,
                "the checkpoint's origin " + checkpoint->origin +
                    " is not the name of the log key that signed it");
  }
  auto quorum = Quorum(*parsed);
  if (!quorum) return std::unexpected(quorum.error());
  if (!quorum->met) {
    return Fail(ErrorCode::kVerificationFailed,
                "the checkpoint lacks the policy's quorum of witnesses: missing cosignatures by " +
                    Joined(quorum->missing) +
                    (quorum->cosigned.empty() ? " (none cosigned)"
                                              : " (cosigned by " + Joined(quorum->cosigned) + ")"));
  }
  return checkpoint;
}

}  // namespace vellum
