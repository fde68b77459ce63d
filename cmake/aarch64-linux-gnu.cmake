# Cross build for 64-bit ARM Linux with Debian's cross compiler (g++-aarch64-linux-gnu) against
# the arm64 -dev packages installed through multiarch (dpkg --add-architecture arm64). The test
# binaries run under qemu-aarch64; `-cpu max` gives them NEON, the dot-product and I8MM
# extensions, and SVE/SVE2. scripts/test --arm64 uses this file.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Multiarch: the arm64 libraries and their CMake packages live under /usr/lib/aarch64-linux-gnu,
# the headers under /usr/include (shared with amd64; arch-specific ones in
# /usr/include/aarch64-linux-gnu, which the cross compiler searches itself).
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_PREFIX_PATH /usr/lib/aarch64-linux-gnu/cmake)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)

# pkg-config (PCRE2, cpp-httplib) must read the arm64 .pc files, never the build machine's.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")

# GSL's -dev package cannot be installed for two architectures at once (installing
# libgsl-dev:arm64 removes the amd64 one the native build needs), so the cross build links the
# arm64 runtime libraries (libgsl27:arm64, libgslcblas0:arm64, which multiarch installs beside the
# amd64 ones) by their versioned names, with the architecture-independent headers of the amd64
# libgsl-dev.
set(GSL_INCLUDE_DIR /usr/include CACHE PATH "")
set(GSL_LIBRARY /usr/lib/aarch64-linux-gnu/libgsl.so.27 CACHE FILEPATH "")
set(GSL_CBLAS_LIBRARY /usr/lib/aarch64-linux-gnu/libgslcblas.so.0 CACHE FILEPATH "")

# CTest, gtest_discover_tests and the tests that start the densing binary run target programs
# through this. The loader and every library come from the multiarch arm64 packages
# (/lib/ld-linux-aarch64.so.1, /usr/lib/aarch64-linux-gnu), the ones the build linked against.
# Not `-L /usr/aarch64-linux-gnu`: with that prefix qemu 7.2 runs the cross toolchain's older
# libc (2.36-8cross1), and there a program's first pthread_create never returns.
# SVE at 128 bits, the length of most SVE cores (Neoverse N2 and V2): qemu 7.2 runs Highway's SVE
# code at 256 bits and more 10 to 20 times slower than at 128 (the ops tests 3.5 s at 128 bits,
# 67 s at 512), which the whole run cannot afford; tests/CMakeLists.txt runs the ops at 512 bits.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -cpu max,sve-default-vector-length=16)
