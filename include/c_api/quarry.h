/**
 * @file quarry.h
 * @brief quarry: model extraction from queries, randomized sketching and fast regression.
 *
 * This umbrella header includes every stable public header. The conventions every
 * function follows (status codes, messages on the context, BLAS-style arrays, handles,
 * options and reports, threading) are written down in docs/conventions.md.
 *
 * Thread-safety summary: distinct contexts may be used concurrently; one context is
 * used by one thread at a time; immutable objects may be shared; destroy functions
 * accept NULL and may be called from any thread.
 */
#ifndef QUARRY_H
#define QUARRY_H

#include "quarry/context.h"
#include "quarry/export.h"
#include "quarry/extract.h"
#include "quarry/lstsq.h"
#include "quarry/options.h"
#include "quarry/regress.h"
#include "quarry/report.h"
#include "quarry/rng.h"
#include "quarry/sampling.h"
#include "quarry/sketch.h"
#include "quarry/status.h"
#include "quarry/types.h"
#include "quarry/version.h"

#endif /* QUARRY_H */
