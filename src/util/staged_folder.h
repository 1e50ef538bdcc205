// A folder of results written in full beside its target, then moved into place in one step, so
// that a crash, a full disk or a kill leaves either the previous results or no folder, never a
// folder that looks finished and is not.
#pragma once

#include <string>
#include <vector>

namespace dfd {

class StagedFolder {
 public:
  // Creates the staging folder <parent>/.<name>.dfd-staging.<host>.<pid> beside `target`, first
  // removing what dead processes of this host left there for the same target (their pid is
  // gone). Error(Runtime) naming the folder when it cannot be created.
  explicit StagedFolder(std::string target);
  // Removes the staging folder unless committed.
  ~StagedFolder();
  StagedFolder(const StagedFolder&) = delete;
  StagedFolder& operator=(const StagedFolder&) = delete;

  const std::string& path() const { return staging_; }  // where to write
  const std::string& target() const { return target_; }

  // Moves the staging folder into place. A missing or empty target is replaced by one rename;
  // an existing one is swapped with it atomically (renameat2 RENAME_EXCHANGE) and the old
  // results removed after, or, on a file system that cannot swap, renamed aside first (a crash
  // between the two renames leaves no target, and the old results hidden beside it).
  void commit();

 private:
  std::string target_, staging_;
  bool committed_ = false;
};

// The entries of `dir` that no dfd run wrote: anything not in `known` and not a hidden staging
// or temporary name of dfd's. Empty for a missing folder.
std::vector<std::string> foreign_entries(const std::string& dir, const std::vector<std::string>& known);

// Makes the folder's entries durable (after a rename or a new file); best effort.
void sync_dir(const std::string& dir);

}  // namespace dfd
