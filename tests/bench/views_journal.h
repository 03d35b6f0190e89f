// A journal with the registry and lineage projections on RocksDB in a fresh
// temporary directory, as aigovd runs them: shared by the lineage benchmarks.
// The directory is removed when the ViewsJournal is destroyed.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

#include "daemon/common/clock.h"
#include "daemon/journal/rocksdb_journal.h"
#include "daemon/lineage/lineage_projection.h"
#include "daemon/registry/registry_projection.h"

namespace aigov::bench {

struct ViewsJournal {
  // Opens a journal under the temporary directory, named after `name` and
  // the process id.
  static absl::StatusOr<std::unique_ptr<ViewsJournal>> Open(
      const std::string& name) {
    auto v = std::make_unique<ViewsJournal>();
    v->dir = (std::filesystem::temp_directory_path() /
              absl::StrCat(name, "-", ::getpid()))
                 .string();
    std::filesystem::remove_all(v->dir);
    journal::JournalOptions options;
    options.path = v->dir;
    options.projections = {&v->registry, &v->lineage};
    auto j = journal::RocksDbJournal::Open(options, v->clock);
    if (!j.ok()) return j.status();
    v->journal = std::move(*j);
    return v;
  }

  ~ViewsJournal() {
    journal.reset();
    std::filesystem::remove_all(dir);
  }

  std::string dir;
  common::RealClock clock;
  registry::RegistryProjection registry;
  lineage::LineageProjection lineage;
  std::unique_ptr<journal::RocksDbJournal> journal;
};

}  // namespace aigov::bench
