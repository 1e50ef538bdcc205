// `dfd dataset nyuv2|make3d`: the paper's RGB-D datasets -> focal stacks by the SPEC 6 protocol.
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "dfd/datasets.h"
#include "dfd/error.h"
#include "dfd/io.h"
#include "dfd/synthetic.h"

namespace dfd::cli {

namespace {

namespace fs = std::filesystem;

struct DatasetArgs {
  std::string out, format = "tiff", index, split, set = "test";
  CLI::Option *index_opt = nullptr, *split_opt = nullptr;
  std::vector<std::string> inputs;  // nyuv2: FILE.mat; make3d: IMG DEPTH.mat | FOLDER [DEPTH_FOLDER]
  bool force = false, quiet = false;
};

FrameFormat frame_format(const std::string& f) {
  return f == "png8" ? FrameFormat::Png8 : f == "png16" ? FrameFormat::Png16 : FrameFormat::Tiff;
}

// Renders one sample's stack and writes OUT/<name>/: frames, stack.json, depth_gt.tiff,
// aif_gt.png and sample.json (where it came from and how it was prepared).
void write_sample(const DatasetArgs& a, const DatasetSample& s) {
  const std::string dir = join_path(a.out, s.name);
  create_output_dir(dir);
  const Options& opt = s.options;
  opt.validate();
  const int K = opt.window_for(s.rgb.height, s.rgb.width);
  const FocalStack stack = render_stack(s.rgb, s.depth, opt.camera(), s.focus_distances, K, 255.0);
  const std::string manifest = write_stack(dir, stack, opt, K, frame_format(a.format));
  write_float_tiff(join_path(dir, "depth_gt.tiff"), s.depth);
  write_png8(join_path(dir, "aif_gt.png"), s.rgb, 255.0);

  nlohmann::ordered_json j;
  j["dataset"] = s.dataset;
  j["sample"] = s.name;
  std::vector<std::string> sources;
  for (const std::string& p : s.sources) sources.push_back(fs::absolute(p).lexically_normal().string());
  j["sources"] = sources;
  j["source_size"] = {s.source_width, s.source_height};
  j["size"] = {s.rgb.width, s.rgb.height};
  j["resize"] = "anti-aliased bilinear (triangle filter stretched by the reduction factor)";
  j["depth_clip"] = {s.clip_min, s.clip_max};
  j["camera"] = {{"focal_length", opt.focal_length}, {"f_number", opt.f_number}, {"aperture", opt.effective_aperture()},
                 {"pixel_pitch", opt.pixel_pitch},   {"thresh", opt.thresh},     {"source", s.camera_source}};
  j["focus_distances"] = s.focus_distances;
  j["kernel_size"] = K;
  j["frames"] = a.format;
  j["files"] = {"stack.json", "depth_gt.tiff", "aif_gt.png"};
  write_text_file(join_path(dir, "sample.json"), j.dump(2) + "\n");
  note(a.quiet, s.dataset + " sample " + s.name + ": " + std::to_string(s.rgb.width) + "x" +
                    std::to_string(s.rgb.height) + ", " + std::to_string(stack.count()) + " frames -> " + manifest);
}

int run_nyuv2(const DatasetArgs& a) {
  const std::string& mat = a.inputs.at(0);
  if (!*a.index_opt && !*a.split_opt) throw_usage("nyuv2: give --index (e.g. 0-9 or all) or --split splits.mat");
  check_output_dir(a.out, a.force);
  const Nyuv2Info info = nyuv2_info(mat);
  const std::vector<int> indices =
      *a.split_opt ? nyuv2_split(a.split, a.set, info.count) : parse_index_list(a.index, info.count, mat + " --index");
  create_output_dir(a.out);
  for (int i : indices) write_sample(a, nyuv2_sample(mat, i));
  note(a.quiet, "wrote " + std::to_string(indices.size()) + " NYUv2 sample(s) to " + a.out);
  return 0;
}

int run_make3d(const DatasetArgs& a) {
  std::error_code ec;
  std::vector<std::pair<std::string, std::string>> pairs;
  if (fs::is_directory(a.inputs[0], ec)) {
    if (a.inputs.size() > 2) throw_usage("make3d takes IMAGE_FOLDER [DEPTH_FOLDER], or IMAGE DEPTH.mat");
    pairs = make3d_pairs(a.inputs[0], a.inputs.size() == 2 ? a.inputs[1] : a.inputs[0]);
  } else {
    if (a.inputs.size() != 2)
      throw_usage("make3d takes IMAGE DEPTH.mat (or a folder of img-X.jpg and depth_sph_corr-X.mat)");
    if (fs::is_directory(a.inputs[1], ec))
      throw_usage(a.inputs[1] + ": expected a depth_sph_corr-X.mat file, not a folder");
    pairs.emplace_back(a.inputs[0], a.inputs[1]);
  }
  check_output_dir(a.out, a.force);
  create_output_dir(a.out);
  for (const auto& [img, depth] : pairs) write_sample(a, make3d_sample(img, depth));
  note(a.quiet, "wrote " + std::to_string(pairs.size()) + " Make3D sample(s) to " + a.out);
  return 0;
}

void add_common(CLI::App& app, DatasetArgs& a) {
  app.add_option("--out,-o", a.out, "Output folder: one subfolder per sample")->required();
  app.add_option("--format", a.format, "Frame files: tiff (float, exact), png8 or png16 (quantised)")
      ->check(CLI::IsMember({"tiff", "png8", "png16"}))
      ->capture_default_str();
  app.add_flag("--force", a.force, "Write into a non-empty output folder");
  app.add_flag("--quiet,-q", a.quiet, "No progress lines");
}

}  // namespace

Command add_dataset_command(CLI::App& root) {
  auto ny = std::make_shared<DatasetArgs>();
  auto m3 = std::make_shared<DatasetArgs>();
  CLI::App* app = root.add_subcommand("dataset", "Convert NYUv2 / Make3D RGB-D data to focal stacks (SPEC 6 protocol)");
  app->require_subcommand(1);

  CLI::App* n = app->add_subcommand("nyuv2", "NYUv2 labelled set (nyu_depth_v2_labeled.mat) -> focal stacks");
  n->add_option("file", ny->inputs, "nyu_depth_v2_labeled.mat (MATLAB v7.3)")->required()->expected(1);
  ny->index_opt = n->add_option("--index", ny->index, "Samples, 0-based: N, N,M,..., A-B or all");
  ny->split_opt = n->add_option("--split", ny->split, "splits.mat of the official split (instead of --index)")
                      ->excludes(ny->index_opt);
  n->add_option("--set", ny->set, "Which half of --split: test (654) or train (795)")
      ->check(CLI::IsMember({"test", "train"}))
      ->needs(ny->split_opt)
      ->capture_default_str();
  add_common(*n, *ny);
  n->footer(
      "Per sample OUT/<NNNN>/: frame_XX.tiff, stack.json, depth_gt.tiff, aif_gt.png, sample.json.\n"
      "RGB and depth halved (anti-aliased bilinear), depth clipped to [0.1, 10] m, stack rendered\n"
      "with the nyuv2 preset. Then: dfd solve OUT/0000/stack.json --out R; dfd eval R/depth.tiff "
      "OUT/0000/depth_gt.tiff");

  CLI::App* m = app->add_subcommand("make3d", "Make3D img-X.jpg + depth_sph_corr-X.mat -> focal stacks");
  m->add_option("inputs", m3->inputs,
                "IMAGE DEPTH.mat, or IMAGE_FOLDER [DEPTH_FOLDER] (pairs img-X.* with depth_sph_corr-X.mat)")
      ->required()
      ->expected(1, 2);
  add_common(*m, *m3);
  m->footer(
      "Per sample OUT/<X>/ as for nyuv2. Image resized to 460x345 (345x460 if portrait), depth grid\n"
      "resized bilinearly to it and clipped to [0.01, 80] m; make3d preset with f and N from EXIF.");

  return {app, [n, ny, m3] { return n->parsed() ? run_nyuv2(*ny) : run_make3d(*m3); }};
}

}  // namespace dfd::cli
