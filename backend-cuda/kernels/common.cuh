// Shared by the NVRTC build (device) and the host build (g++, for the tests):
// fixed-width integers, the __host__ __device__ marker and the few device
// primitives that have a sequential host equivalent.
#pragma once

#if defined(__CUDACC_RTC__)
// NVRTC has no C library headers.
typedef unsigned int u32;
typedef unsigned long long u64;
typedef int i32;
#else
#include <stdint.h>
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t i32;
#endif

#if defined(__CUDACC__)
#define ZK_HD __host__ __device__ __forceinline__
#define ZK_DEVICE_CODE 1
#else
#define ZK_HD inline
#endif

#if defined(__CUDA_ARCH__)
#define ZK_UNROLL _Pragma("unroll")
#else
#define ZK_UNROLL
#endif

// Atomics. The host build runs a kernel's threads one after another, so a
// plain read-modify-write is the same operation there.
ZK_HD u32 zk_atomic_add(u32* p, u32 v) {
#if defined(__CUDA_ARCH__)
    return atomicAdd(p, v);
#else
    u32 old = *p;
    *p = old + v;
    return old;
#endif
}

ZK_HD u64 zk_atomic_add(u64* p, u64 v) {
#if defined(__CUDA_ARCH__)
    return atomicAdd((unsigned long long*)p, (unsigned long long)v);
#else
    u64 old = *p;
    *p = old + v;
    return old;
#endif
}

ZK_HD u32 zk_atomic_min(u32* p, u32 v) {
#if defined(__CUDA_ARCH__)
    return atomicMin(p, v);
#else
    u32 old = *p;
    if (v < old) *p = v;
    return old;
#endif
}

ZK_HD u32 zk_atomic_cas(u32* p, u32 expected, u32 desired) {
#if defined(__CUDA_ARCH__)
    return atomicCAS(p, expected, desired);
#else
    u32 old = *p;
    if (old == expected) *p = desired;
    return old;
#endif
}
