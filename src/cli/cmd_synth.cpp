// `dfd synth`: render a focal stack from an AIF image and a depth map with the exact model.
#include <cstdio>
#include <memory>

#include "cli/cli.h"
#include "dfd/error.h"
#include "dfd/io.h"
#include "dfd/synthetic.h"

namespace dfd::cli {

std::string write_stack(const std::string& dir, const FocalStack& stack, const Options& opt, int K,
                        FrameFormat format) {
  StackManifest m;
  const char* ext = format == FrameFormat::Tiff ? "tiff" : "png";
  for (int i = 0; i < stack.count(); ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "frame_%02d.%s", i, ext);
    const std::string path = join_path(dir, name);
    switch (format) {
      case FrameFormat::Png8: write_png8(path, stack.frames[i], stack.range); break;
      case FrameFormat::Png16: write_png16(path, stack.frames[i], stack.range); break;
      case FrameFormat::Tiff: write_float_tiff(path, stack.frames[i]); break;
    }
    m.frames.push_back(name);
  }
  m.focus_distances = stack.focus_distances;
  m.preset = opt.preset;
  // The range the frames are stored in: PNGs span their full code range, TIFFs keep values.
  m.range = format == FrameFormat::Png8 ? 255.0 : format == FrameFormat::Png16 ? 65535.0 : stack.range;
  m.kernel_size = K;
  m.focal_length = opt.focal_length;
  if (opt.aperture > 0)
    m.aperture = opt.aperture;
  else
    m.f_number = opt.f_number;
  m.pixel_pitch = opt.pixel_pitch;
  m.thresh = opt.thresh;
  std::string path = join_path(dir, "stack.json");
  write_manifest(path, m);
  return path;
}

namespace {

struct SynthArgs {
  std::string aif, depth, out, format = "auto";
  double depth_scale = 1.0;
  bool force = false, quiet = false;
  CameraFlags camera;
};

int run_synth(const SynthArgs& a) {
  check_output_dir(a.out, a.force);
  const LoadedImage aif = read_image(a.aif);
  const Image depth = read_depth(a.depth, a.depth_scale);
  if (depth.width != aif.image.width || depth.height != aif.image.height)
    throw_input(a.depth + " (" + std::to_string(depth.width) + "x" + std::to_string(depth.height) +
                ") does not match the size of " + a.aif + " (" + std::to_string(aif.image.width) + "x" +
                std::to_string(aif.image.height) + ")");
  Options opt = preset_options(a.camera.preset_name());
  a.camera.apply(opt);
  opt.validate();
  const bool index_model = opt.blur_model == BlurModel::FocusIndex;
  for (float z : depth.data)
    if (!(index_model ? z >= 0 : z > 0))
      throw_input(a.depth + ": depth values must be " + (index_model ? "non-negative" : "positive") + " (found " +
                  std::to_string(z) + ")");
  // Uncalibrated: depth is a focus index and the frames' focus distances are their indices.
  if (index_model && !*a.camera.blur_scale_opt)
    throw_usage("rendering an uncalibrated stack needs --blur-scale (pixels of blur per frame step)");
  std::vector<double> focus = *a.camera.focus_opt ? a.camera.focus : preset_focus_distances(opt.preset);
  if (focus.empty()) throw_usage("the " + opt.preset + " preset has no focus distances: pass --focus-distances");
  for (double zf : focus)
    if (!index_model && !(zf > opt.focal_length))
      throw_input("focus distance " + std::to_string(zf) + " must be greater than the focal length " +
                  std::to_string(opt.focal_length));

  const int K = opt.window_for(aif.image.height, aif.image.width);
  FrameFormat format = FrameFormat::Png8;
  if (a.format == "png16" || (a.format == "auto" && aif.bit_depth > 8)) format = FrameFormat::Png16;
  if (a.format == "tiff") format = FrameFormat::Tiff;

  const FocalStack stack = render_stack(aif.image, depth, opt.camera(), focus, K, aif.range);
  create_output_dir(a.out);
  const std::string manifest = write_stack(a.out, stack, opt, K, format);
  note(a.quiet, "rendered " + std::to_string(stack.count()) + " frames (" + std::to_string(aif.image.width) + "x" +
                    std::to_string(aif.image.height) + ", K = " + std::to_string(K) + "); manifest " + manifest);
  return 0;
}

}  // namespace

Command add_synth_command(CLI::App& root) {
  auto a = std::make_shared<SynthArgs>();
  CLI::App* app = root.add_subcommand("synth", "Render a focal stack from an all-in-focus image and a depth map");
  app->add_option("--aif", a->aif, "All-in-focus image (8-bit, 16-bit or float)")->required();
  app->add_option("--depth", a->depth, "Depth map (float TIFF, or 16-bit PNG with --depth-scale)")->required();
  app->add_option("--depth-scale", a->depth_scale, "Depth = pixel value / this (e.g. 1000 for millimetres)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  a->camera.add(*app);
  app->add_option("--format", a->format, "Frame files: auto (16-bit PNG for 16-bit or float AIFs), png8, png16, tiff")
      ->check(CLI::IsMember({"auto", "png8", "png16", "tiff"}))
      ->capture_default_str();
  app->add_option("--out,-o", a->out, "Output folder (created)")->required();
  app->add_flag("--force", a->force, "Write into a non-empty output folder");
  app->add_flag("--quiet,-q", a->quiet, "No summary line");
  app->footer("Writes OUT/frame_00.png, ... and OUT/stack.json, ready for `dfd solve OUT/stack.json`.");
  return {app, [a] { return run_synth(*a); }};
}

}  // namespace dfd::cli
