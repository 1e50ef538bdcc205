// calibrated.txt of the MobileDepth layout: per-frame focus distance and aperture, then the focal length.
#include <fstream>
#include <numeric>
#include <sstream>

#include "dfd/error.h"
#include "dfd/stack_inputs.h"
#include "util/number_text.h"
#include "util/text_fields.h"

namespace dfd {

double MobileDepthCalibration::aperture() const {
  if (apertures.empty()) return 0.0;
  return std::accumulate(apertures.begin(), apertures.end(), 0.0) / static_cast<double>(apertures.size());
}

MobileDepthCalibration read_mobiledepth_calibration(const std::string& path, int frames) {
  std::ifstream in(path);
  if (!in) throw_input(path + ": cannot open the MobileDepth calibration");
  struct Line {
    int number;
    std::vector<std::string> fields;
  };
  std::vector<Line> lines;
  std::string s;
  for (int n = 1; std::getline(in, s); ++n) {
    std::vector<std::string> f = text::split(s, " \t\r,", true);
    if (!f.empty()) lines.push_back({n, std::move(f)});
  }
  const std::string layout = " (one \"focal_depth aperture\" line per frame, then the focal length)";
  if (lines.empty()) throw_input(path + ": empty" + layout);
  const int pairs = static_cast<int>(lines.size()) - 1;
  if (pairs != frames)
    throw_input(path + ": " + std::to_string(pairs) + " \"focal_depth aperture\" line" + (pairs == 1 ? "" : "s") +
                " for " + std::to_string(frames) + " frames a*.jpg" + layout);

  auto value = [&](const Line& l, size_t k, const char* what) {
    const auto v = text::number(l.fields[k]);
    if (!v)
      throw_input(path + " line " + std::to_string(l.number) + ": " + what + " '" + l.fields[k] + "' is not a number");
    if (!(*v > 0))
      throw_input(path + " line " + std::to_string(l.number) + ": " + what + " " + format_number(*v) +
                  " must be positive");
    return *v;
  };

  MobileDepthCalibration c;
  const Line& last = lines.back();
  if (last.fields.size() != 1)
    throw_input(path + " line " + std::to_string(last.number) +
                ": the last line must hold the focal length alone (found " + std::to_string(last.fields.size()) +
                " values)" + layout);
  c.focal_length = value(last, 0, "focal length");
  for (int i = 0; i < pairs; ++i) {
    const Line& l = lines[i];
    if (l.fields.size() != 2)
      throw_input(path + " line " + std::to_string(l.number) + ": expected \"focal_depth aperture\", found " +
                  std::to_string(l.fields.size()) + " value" + (l.fields.size() == 1 ? "" : "s"));
    const double zf = value(l, 0, "focal depth");
    const double d = value(l, 1, "aperture");
    if (!(zf > c.focal_length))
      throw_input(path + " line " + std::to_string(l.number) + ": focal depth " + format_number(zf) +
                  " must be greater than the focal length " + format_number(c.focal_length) + " (last line)");
    c.focus_distances.push_back(zf);
    c.apertures.push_back(d);
  }
  return c;
}

}  // namespace dfd
