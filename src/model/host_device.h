// DFD_HOST_DEVICE: per-pixel model code compiled for the CPU loops and the CUDA kernels alike.
#pragma once

#ifdef __CUDACC__
#define DFD_HOST_DEVICE __host__ __device__
#else
#define DFD_HOST_DEVICE
#endif
