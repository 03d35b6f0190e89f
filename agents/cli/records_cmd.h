// aigovctl's record commands: apply (every kind), get, and the lineage
// queries. Each returns the process exit status (0 ok, 1 a request or
// document failed) and prints errors to stderr with what to do.
#pragma once

#include <string>
#include <vector>

namespace aigov::cli {

// aigovctl apply -f FILE...: parses every file first (a malformed one sends
// nothing), then records each document in order, printing per document
// "<Kind> <id> created|unchanged (sequence N)", or with `json` one array
// of {"file", "line", "kind", "name", "result" (created, unchanged or
// failed), "sequence", "error"}. With stderr on a terminal and stdout not,
// shows "applying: N / M documents" there. 0 when every document was
// recorded, 1 otherwise.
int ApplyFiles(const std::string& target, const std::vector<std::string>& files,
               bool json = false);

// Kinds apply can send (each must be one of SupportedKinds()).
std::vector<std::string> WritableKinds();

// aigovctl get KIND [ID[@VERSION]]: one record, or every record of the kind
// (of the id, for versioned kinds). `unregistered`: only records named but
// never registered. `unfinished`: Run only, runs without a terminal event.
int GetRecords(const std::string& target, const std::string& kind,
               const std::string& id, bool json, bool unregistered,
               bool unfinished);

// aigovctl lineage impact --dataset ID@VERSION.
int LineageImpact(const std::string& target, const std::string& dataset,
                  bool json);

// aigovctl lineage provenance (--model ID@VERSION | --deployment ID).
int LineageProvenance(const std::string& target, const std::string& model,
                      const std::string& deployment, bool json);

}  // namespace aigov::cli
