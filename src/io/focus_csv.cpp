// Focus distances from a CSV: values in frame order, or "frame,focus_distance" rows matched by file name.
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "dfd/error.h"
#include "dfd/stack_inputs.h"
#include "util/text_fields.h"

namespace dfd {

namespace fs = std::filesystem;

namespace {

struct Row {
  int line;
  std::vector<std::string> fields;
};

std::string at_line(const std::string& path, int line) { return path + " line " + std::to_string(line) + ": "; }

double positive_value(const std::string& path, int line, const std::string& field) {
  const auto v = text::number(field);
  if (!v) throw_input(at_line(path, line) + "'" + field + "' is not a number");
  if (!(*v > 0)) throw_input(at_line(path, line) + "focus distance " + field + " must be positive");
  return *v;
}

}  // namespace

std::vector<double> read_focus_csv(const std::string& path, const std::vector<std::string>& frames) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw_input(path + ": no such file (--focus-csv)");
  std::ifstream in(path);
  if (!in) throw_input(path + ": cannot open (--focus-csv)");
  std::vector<Row> rows;
  std::string s;
  for (int n = 1; std::getline(in, s); ++n) {
    const std::string t = text::trim(s);
    if (t.empty() || t[0] == '#') continue;
    rows.push_back({n, text::split(t, ",", false)});
  }
  // Every data row ends with a number, so a first row that does not is a header; a header of
  // two columns (or a data row whose first field is not a number) selects "frame,focus_distance".
  bool header = false, named = false;
  if (!rows.empty() && !text::number(rows[0].fields.back())) header = true;
  const size_t first = header ? 1 : 0;
  if (header && rows[0].fields.size() == 2 && rows.size() > 1 && rows[1].fields.size() == 2) named = true;
  for (size_t r = first; r < rows.size() && !named; ++r)
    if (rows[r].fields.size() == 2 && !text::number(rows[r].fields[0])) named = true;
  if (rows.size() <= first) throw_input(path + ": no focus distances in the file");

  std::vector<double> out;
  if (!named) {
    for (size_t r = first; r < rows.size(); ++r)
      for (const auto& f : rows[r].fields) out.push_back(positive_value(path, rows[r].line, f));
    if (out.size() != frames.size())
      throw_input(path + ": " + std::to_string(out.size()) + " focus distances for " + std::to_string(frames.size()) +
                  " frames (need one per frame, in frame order)");
    return out;
  }

  // Two columns: match the frame column against each frame's file name, or its name without extension.
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < frames.size(); ++i) {
    const fs::path p(frames[i]);
    index.emplace(p.filename().string(), i);
    index.emplace(p.stem().string(), i);
  }
  std::vector<std::optional<double>> found(frames.size());
  for (size_t r = first; r < rows.size(); ++r) {
    const Row& row = rows[r];
    if (row.fields.size() != 2)
      throw_input(at_line(path, row.line) + "expected two columns \"frame,focus_distance\", found " +
                  std::to_string(row.fields.size()));
    const std::string name = fs::path(row.fields[0]).filename().string();
    const auto it = index.find(name);
    if (it == index.end()) throw_input(at_line(path, row.line) + "'" + row.fields[0] + "' names none of the frames");
    if (found[it->second]) throw_input(at_line(path, row.line) + "a second focus distance for " + frames[it->second]);
    found[it->second] = positive_value(path, row.line, row.fields[1]);
  }
  for (size_t i = 0; i < frames.size(); ++i) {
    if (!found[i]) throw_input(path + ": no focus distance for " + frames[i]);
    out.push_back(*found[i]);
  }
  return out;
}

}  // namespace dfd
