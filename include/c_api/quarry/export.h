/**
 * @file quarry/export.h
 * @brief Symbol visibility and C linkage macros shared by every public header.
 *
 * `QUARRY_API` marks a function as part of the public ABI. The library is built with
 * `-fvisibility=hidden` and a linker version script, so nothing without `QUARRY_API`
 * (and nothing outside the `quarry_` prefix) is exported from `libquarry.so`.
 */
#ifndef QUARRY_EXPORT_H
#define QUARRY_EXPORT_H

#if defined(_WIN32) && !defined(QUARRY_STATIC)
#if defined(QUARRY_BUILDING)
#define QUARRY_API __declspec(dllexport)
#else
#define QUARRY_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#define QUARRY_API __attribute__((visibility("default")))
#else
#define QUARRY_API
#endif

#ifdef __cplusplus
#define QUARRY_BEGIN_DECLS extern "C" {
#define QUARRY_END_DECLS }
#else
#define QUARRY_BEGIN_DECLS
#define QUARRY_END_DECLS
#endif

#endif /* QUARRY_EXPORT_H */
