// Staged result folders: write beside the target, then rename (or swap) into place.
#include "util/staged_folder.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>  // renameat2 (glibc >= 2.28)
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "dfd/error.h"
#include "util/clock.h"

namespace dfd {

namespace fs = std::filesystem;

namespace {

// ".<name>.dfd-staging." / ".<name>.dfd-old.": what this class leaves beside a target.
std::string prefix_of(const std::string& name, const char* kind) { return "." + name + ".dfd-" + kind + "."; }

// The pid at the end of "<prefix><host>.<pid>" when the host is this one; 0 otherwise.
long own_host_pid(const std::string& entry, const std::string& prefix, const std::string& host) {
  if (entry.compare(0, prefix.size(), prefix) != 0) return 0;
  const std::string rest = entry.substr(prefix.size());
  if (rest.compare(0, host.size() + 1, host + ".") != 0) return 0;
  const std::string digits = rest.substr(host.size() + 1);
  if (digits.empty() || digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) return 0;
  return std::stol(digits);
}

bool process_gone(long pid) { return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH; }

fs::path parent_of(const fs::path& target) {
  const fs::path p = target.parent_path();
  return p.empty() ? fs::path(".") : p;
}

}  // namespace

void sync_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

StagedFolder::StagedFolder(std::string target) : target_(std::move(target)) {
  // "out/", "./out", "a/../out": one name in one parent folder.
  fs::path t = fs::path(target_).lexically_normal();
  if (t.filename().empty()) t = t.parent_path();
  if (t.empty() || t.filename() == "." || t.filename() == "..") t = fs::absolute(t).lexically_normal();
  if (t.filename().empty()) t = t.parent_path();
  if (t.filename().empty() || t == t.root_path()) throw_runtime(target_ + ": not a folder that can be replaced");
  target_ = t.string();
  const fs::path parent = parent_of(t);
  const std::string name = t.filename().string();
  const std::string host = file_safe_host_name();
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (!fs::is_directory(parent, ec))
    throw_runtime(parent.string() + ": cannot create the output folder's parent: " + ec.message());
  // Leftovers of dead processes of this host (a kill -9, a power cut): never finished results.
  std::vector<fs::path> stale;
  for (const auto& e : fs::directory_iterator(parent, ec))
    for (const char* kind : {"staging", "old"}) {
      const long pid = own_host_pid(e.path().filename().string(), prefix_of(name, kind), host);
      if (pid > 0 && pid != ::getpid() && process_gone(pid)) stale.push_back(e.path());
    }
  for (const auto& p : stale) fs::remove_all(p, ec);
  staging_ = (parent / (prefix_of(name, "staging") + host + "." + std::to_string(::getpid()))).string();
  fs::remove_all(staging_, ec);
  if (!fs::create_directory(staging_, ec) || ec)
    throw_runtime(staging_ + ": cannot create the staging folder for " + target_ + ": " +
                  (ec ? ec.message() : std::string("exists")));
}

StagedFolder::~StagedFolder() {
  if (committed_) return;
  std::error_code ec;
  fs::remove_all(staging_, ec);
}

void StagedFolder::commit() {
  if (committed_) throw_runtime(target_ + ": results already moved into place");
  sync_dir(staging_);
  const fs::path t(target_);
  const std::string parent = parent_of(t).string();
  std::error_code ec;
  const auto st = fs::symlink_status(t, ec);
  const bool exists = fs::exists(st);
  if (exists && !fs::is_directory(st))
    throw_runtime(target_ + ": exists and is not a folder; results left in " + staging_);
  if (!exists || fs::is_empty(t, ec)) {
    // rename(2) replaces an empty folder too.
    if (::rename(staging_.c_str(), target_.c_str()) != 0)
      throw_runtime(target_ + ": cannot move the results into place from " + staging_ + ": " + std::strerror(errno));
  } else if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) == 0) {
    // The old results are now at the staging path.
    fs::remove_all(staging_, ec);
  } else if (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP) {
    const std::string old = (parent_of(t) / (prefix_of(t.filename().string(), "old") + file_safe_host_name() + "." +
                                             std::to_string(::getpid())))
                                .string();
    fs::remove_all(old, ec);
    if (::rename(target_.c_str(), old.c_str()) != 0)
      throw_runtime(target_ + ": cannot move the previous results aside: " + std::strerror(errno) +
                    "; new results left in " + staging_);
    if (::rename(staging_.c_str(), target_.c_str()) != 0) {
      const int err = errno;
      ::rename(old.c_str(), target_.c_str());  // put the previous results back
      throw_runtime(target_ + ": cannot move the results into place from " + staging_ + ": " + std::strerror(err));
    }
    fs::remove_all(old, ec);
  } else {
    throw_runtime(target_ + ": cannot swap the results into place from " + staging_ + ": " + std::strerror(errno));
  }
  committed_ = true;
  sync_dir(parent);
}

std::vector<std::string> foreign_entries(const std::string& dir, const std::vector<std::string>& known) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    // write_file_atomic's temporaries: ".<file>.tmp-XXXXXX".
    if (name.size() > 1 && name[0] == '.' && name.find(".tmp-") != std::string::npos) continue;
    out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace dfd
