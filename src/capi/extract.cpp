#include <quarry/extract.h>

#include <vector>

#include "capi/boundary.hpp"
#include "core/checked_int.hpp"
#include "extract/extractor.hpp"

using quarry::capi::deref;
using quarry::capi::with_context;

extern "C" quarry_status quarry_extract_relu1(quarry_context* ctx, int64_t d, int64_t c,
                                              quarry_oracle_fn oracle, void* user_data,
                                              const quarry_options* options, quarry_relu_net** out,
                                              quarry_report** report) {
  quarry_status outcome = QUARRY_OK;
  const quarry_status status = with_context(ctx, [&] {
    deref(out, "out") = nullptr;
    if (report != nullptr) *report = nullptr;
    quarry::core::require(d >= 1 && c >= 1, QUARRY_ERR_BAD_DIMENSION,
                          "the black box needs d >= 1 inputs and c >= 1 outputs; got d = {}, "
                          "c = {}",
                          d, c);
    quarry::core::require(oracle != nullptr, QUARRY_ERR_NULL_POINTER, "oracle is NULL");
    quarry::core::checked_mul(c, d, "c * d");
    quarry::extract::ExtractSettings settings;
    if (options != nullptr) {
      const quarry::core::Options& o = options->core;
      settings.seed = static_cast<uint64_t>(o.get<int64_t>(QUARRY_OPT_SEED).value_or(0));
      settings.budget = o.get<int64_t>(QUARRY_OPT_QUERY_BUDGET).value_or(settings.budget);
      settings.noise = o.get<double>(QUARRY_OPT_OUTPUT_NOISE).value_or(0.0);
      settings.refine = o.get<int64_t>(QUARRY_OPT_EXTRACT_REFINE).value_or(0) != 0;
      using Bound = std::vector<double>;
      settings.lower = o.get<Bound>(QUARRY_OPT_DOMAIN_LOWER).value_or(Bound());
      settings.upper = o.get<Bound>(QUARRY_OPT_DOMAIN_UPPER).value_or(Bound());
      if (quarry_progress_fn fn = o.progress()) {
        void* data = o.progress_data();
        settings.progress = [fn, data](const quarry::core::Report& r) {
          const quarry_report view{r};
          return fn(&view, data) == 0;
        };
      }
    }
    quarry::extract::ExtractResult result =
        quarry::extract::extract_relu1(oracle, user_data, d, c, settings);
    auto net = std::make_unique<quarry_relu_net>(quarry_relu_net{std::move(result.net)});
    std::unique_ptr<quarry_report> rep;
    if (report != nullptr) {
      rep = std::make_unique<quarry_report>();
      auto& r = rep->core;
      r.set<int64_t>(QUARRY_REPORT_QUERIES, result.queries);
      r.set<int64_t>(QUARRY_REPORT_BATCHES, result.batches);
      r.set<int64_t>(QUARRY_REPORT_NEURONS, net->params.k);
      r.set<int64_t>(QUARRY_REPORT_LINES, result.lines);
      r.set<double>(QUARRY_REPORT_NOISE, result.noise);
      r.set<double>(QUARRY_REPORT_SECONDS, result.seconds);
      r.set<double>(QUARRY_REPORT_ORACLE_SECONDS, result.oracle_seconds);
      if (result.estimated_error >= 0) {
        r.set<double>(QUARRY_REPORT_RELATIVE_ERROR, result.estimated_error);
      }
    }
    // The message before the outputs: storing it may throw, and then no output may be set.
    switch (result.outcome) {
      case quarry::extract::ExtractOutcome::BudgetExhausted:
        outcome = QUARRY_ERR_BUDGET;
        ctx->last_error = "the query budget ran out; the network is the best found so far";
        break;
      case quarry::extract::ExtractOutcome::Aborted:
        outcome = QUARRY_ERR_CALLBACK_ABORTED;
        ctx->last_error = "the progress callback asked to stop; the network is partial";
        break;
      case quarry::extract::ExtractOutcome::Inaccurate:
        outcome = QUARRY_ERR_NO_CONVERGENCE;
        ctx->last_error = fmt::format(
            "the copy's estimated relative error is {:.2e}: the black box is noisier or less "
            "precise than this extraction handles (docs/extract.md, failure modes)",
            result.estimated_error);
        break;
      case quarry::extract::ExtractOutcome::Complete: break;
    }
    if (report != nullptr) *report = rep.release();
    *out = net.release();
  });
  return status != QUARRY_OK ? status : outcome;
}
