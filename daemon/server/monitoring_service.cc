#include "daemon/server/monitoring_service.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

#include "daemon/common/status_macros.h"
#include "daemon/ingest/event_validator.h"
#include "daemon/ingest/monitoring_validator.h"
#include "daemon/server/grpc_status.h"

namespace aigov::server {
namespace {

using aigov::v1::ReportWindowsRequest;
using aigov::v1::WindowReportResult;

// Submits one window report through the pipeline; `done` gets its result
// once it is durable or refused (on any thread) and must close the receipt.
void SubmitWindow(
    ingest::Pipeline& pipeline, const absl::Status& valid,
    const ReportWindowsRequest& request, const std::string& principal,
    std::function<void(WindowReportResult, const ingest::Receipt&)> done) {
  journal::PendingEvent event;
  event.entry.set_event_id(request.event_id());
  event.entry.set_principal(principal);
  *event.entry.mutable_window_profile() = request.window_profile();
  pipeline.Submit(
      valid, std::move(event),
      [event_id = request.event_id(), done = std::move(done)](
          const journal::AppendOutcome& out, const ingest::Receipt& receipt) {
        WindowReportResult r;
        r.set_event_id(event_id);
        r.set_code(static_cast<int32_t>(out.status.code()));
        if (!out.status.ok()) {
          r.set_message(std::string(out.status.message()));
        } else {
          r.set_sequence(out.sequence);
          r.set_deduplicated(out.deduplicated);
          r.set_leaf_hash(std::string(tlog::HashBytes(out.leaf_hash)));
          for (const auto& d : out.derived) {
            r.add_evaluation_sequences(d.sequence);
          }
        }
        done(std::move(r), receipt);
      });
}

// The results of a batch or a stream, in message order. Thread-safe.
class Results {
 public:
  size_t Add() {
    absl::MutexLock lock(&mu_);
    results_.emplace_back();
    return results_.size() - 1;
  }
  void Set(size_t index, WindowReportResult r) {
    absl::MutexLock lock(&mu_);
    results_[index] = std::move(r);
  }
  template <typename Response>
  void Fill(Response* response) {
    absl::MutexLock lock(&mu_);
    uint32_t accepted = 0;
    for (WindowReportResult& r : results_) {
      accepted += r.code() == 0;
      *response->add_results() = std::move(r);
    }
    response->set_accepted(accepted);
    response->set_refused(static_cast<uint32_t>(results_.size()) - accepted);
  }

 private:
  absl::Mutex mu_;
  std::vector<WindowReportResult> results_ ABSL_GUARDED_BY(mu_);
};

// Reads a client stream of window reports, submitting each as it arrives,
// with at most kMaxStreamInFlight waiting for the journal (reading pauses
// beyond it), and answers once the stream ended and every report has its
// result.
class WindowStream final
    : public grpc::ServerReadReactor<ReportWindowsRequest> {
 public:
  WindowStream(ingest::Pipeline& pipeline, const common::Clock& clock,
               std::string principal, aigov::v1::ReportWindowsResponse* out)
      : pipeline_(pipeline),
        clock_(clock),
        principal_(std::move(principal)),
        response_(out) {
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      bool finish;
      {
        absl::MutexLock lock(&mu_);
        reads_done_ = true;
        finish = ShouldFinish();
      }
      if (finish) Finish();
      return;
    }
    const size_t index = results_.Add();
    {
      absl::MutexLock lock(&mu_);
      ++in_flight_;
    }
    SubmitWindow(
        pipeline_, ingest::ValidateReportWindow(request_, clock_.Now()),
        request_, principal_,
        [this, index](WindowReportResult r, const ingest::Receipt& receipt) {
          receipt.Close([&] { results_.Set(index, std::move(r)); });
          Landed();
        });
    bool read = false;
    {
      absl::MutexLock lock(&mu_);
      if (in_flight_ < MonitoringServiceImpl::kMaxStreamInFlight) {
        read = true;
      } else {
        paused_ = true;
      }
    }
    if (read) StartRead(&request_);
  }

  void OnDone() override { delete this; }

 private:
  // One report has its result.
  void Landed() {
    bool read = false;
    bool finish = false;
    {
      absl::MutexLock lock(&mu_);
      --in_flight_;
      if (paused_) {
        paused_ = false;
        read = true;
      }
      finish = ShouldFinish();
    }
    if (read) StartRead(&request_);
    if (finish) Finish();
  }

  bool ShouldFinish() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!reads_done_ || in_flight_ > 0 || finished_) return false;
    finished_ = true;
    return true;
  }

  void Finish() {
    results_.Fill(response_);
    ServerReadReactor::Finish(grpc::Status::OK);
  }

  ingest::Pipeline& pipeline_;
  const common::Clock& clock_;
  const std::string principal_;
  aigov::v1::ReportWindowsResponse* response_;
  ReportWindowsRequest request_;
  Results results_;
  absl::Mutex mu_;
  size_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool paused_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

google::protobuf::Timestamp ToTimestamp(int64_t seconds) {
  google::protobuf::Timestamp t;
  t.set_seconds(seconds);
  return t;
}

absl::Status ValidateModelVersion(const std::string& model_id,
                                  const std::string& version) {
  AIGOV_RETURN_IF_ERROR(ingest::ValidateId(model_id, "model_id"));
  return ingest::ValidateId(version, "version");
}

}  // namespace

grpc::ServerUnaryReactor* MonitoringServiceImpl::PutReferenceProfile(
    grpc::CallbackServerContext* context,
    const aigov::v1::PutReferenceProfileRequest* request,
    aigov::v1::PutReferenceProfileResponse* response) {
  return writes_.Run(
      context, ingest::ValidatePutReferenceProfile(*request),
      request->event_id(),
      [request](aigov::v1::JournalEntry* e) {
        *e->mutable_reference_profile() = request->reference_profile();
      },
      AnswerRegistered(response));
}

grpc::ServerReadReactor<ReportWindowsRequest>*
MonitoringServiceImpl::ReportWindows(
    grpc::CallbackServerContext* context,
    aigov::v1::ReportWindowsResponse* response) {
  return new WindowStream(pipeline_, clock_, PrincipalOf(*context), response);
}

grpc::ServerUnaryReactor* MonitoringServiceImpl::ReportWindowBatch(
    grpc::CallbackServerContext* context,
    const aigov::v1::ReportWindowBatchRequest* request,
    aigov::v1::ReportWindowBatchResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (request->windows().empty()) {
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  // Shared by the reports' callbacks; the last one to land answers.
  struct Batch {
    Results results;
    std::atomic<size_t> pending;
  };
  auto batch = std::make_shared<Batch>();
  batch->pending = static_cast<size_t>(request->windows_size());
  const std::string principal = PrincipalOf(*context);
  const absl::Time now = clock_.Now();
  for (const ReportWindowsRequest& w : request->windows()) {
    const size_t index = batch->results.Add();
    SubmitWindow(
        pipeline_, ingest::ValidateReportWindow(w, now), w, principal,
        [batch, index, reactor, response](WindowReportResult r,
                                          const ingest::Receipt& receipt) {
          receipt.Close([&] { batch->results.Set(index, std::move(r)); });
          if (batch->pending.fetch_sub(1) == 1) {
            batch->results.Fill(response);
            reactor->Finish(grpc::Status::OK);
          }
        });
  }
  return reactor;
}

grpc::ServerUnaryReactor* MonitoringServiceImpl::ReportPerformance(
    grpc::CallbackServerContext* context,
    const aigov::v1::ReportPerformanceRequest* request,
    aigov::v1::ReportPerformanceResponse* response) {
  return writes_.Run(
      context, ingest::ValidateReportPerformance(*request, clock_.Now()),
      request->event_id(),
      [request](aigov::v1::JournalEntry* e) {
        *e->mutable_performance_sample() = request->performance_sample();
      },
      [response](const journal::AppendOutcome& out,
                 const WriteCompletion& done) {
        response->set_sequence(out.sequence);
        response->set_deduplicated(out.deduplicated);
        response->set_leaf_hash(std::string(tlog::HashBytes(out.leaf_hash)));
        if (!out.derived.empty()) {
          response->set_breached(true);
          response->set_breach_sequence(out.derived.front().sequence);
        }
        done(grpc::Status::OK, ingest::ResultOf(out));
      });
}

grpc::ServerUnaryReactor* MonitoringServiceImpl::ReportDriftScore(
    grpc::CallbackServerContext* context,
    const aigov::v1::ReportDriftScoreRequest* request,
    aigov::v1::ReportDriftScoreResponse* response) {
  return writes_.Run(
      context, ingest::ValidateReportDriftScore(*request, clock_.Now()),
      request->event_id(),
      [request](aigov::v1::JournalEntry* e) {
        *e->mutable_drift_score() = request->drift_score();
      },
      AnswerRegistered(response));
}

grpc::ServerUnaryReactor* MonitoringServiceImpl::GetDriftStatus(
    grpc::CallbackServerContext* context,
    const aigov::v1::GetDriftStatusRequest* request,
    aigov::v1::GetDriftStatusResponse* response) {
  const std::string& model_id = request->model_id();
  const std::string& version = request->version();
  if (absl::Status s = ValidateModelVersion(model_id, version); !s.ok()) {
    return FinishUnary(context, s);
  }
  const auto ref = view_.Reference(model_id, version);
  if (!ref.ok()) return FinishUnary(context, ref.status());
  if (!ref->has_value()) {
    const auto registered = view_.Registered(model_id, version);
    if (!registered.ok()) return FinishUnary(context, registered.status());
    if (!*registered) {
      return FinishUnary(context,
                         absl::NotFoundError(absl::StrCat(
                             "model version ", model_id, "@", version,
                             " is not registered (aigovctl get ModelVersion ",
                             model_id, " lists its versions)")));
    }
    return FinishUnary(
        context,
        absl::NotFoundError(absl::StrCat(
            model_id, "@", version,
            " has no reference profile yet, so no drift state: send one "
            "(aigovctl drift profile --csv train.csv --model ",
            model_id, "@", version,
            " | aigovctl apply -f -, or the agent's put_reference_profile)")));
  }
  const auto state = view_.State(model_id, version);
  if (!state.ok()) return FinishUnary(context, state.status());
  const auto last = view_.Last(model_id, version);
  if (!last.ok()) return FinishUnary(context, last.status());
  const auto open = view_.OpenWindows(model_id, version);
  if (!open.ok()) return FinishUnary(context, open.status());
  response->set_model_id(model_id);
  response->set_version(version);
  response->set_reference_sequence((*ref)->sequence());
  if (last->has_value()) {
    *response->mutable_last_evaluation() = (*last)->evaluation();
    response->set_last_evaluation_sequence((*last)->sequence());
  }
  for (const int64_t start : *open) {
    *response->add_open_windows() = ToTimestamp(start);
  }
  response->set_late_reports(state->late_reports());
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* MonitoringServiceImpl::ListDriftEvaluations(
    grpc::CallbackServerContext* context,
    const aigov::v1::ListDriftEvaluationsRequest* request,
    aigov::v1::ListDriftEvaluationsResponse* response) {
  if (absl::Status s =
          ValidateModelVersion(request->model_id(), request->version());
      !s.ok()) {
    return FinishUnary(context, s);
  }
  int64_t from = INT64_MIN;
  if (!request->page_token().empty() &&
      !absl::SimpleAtoi(request->page_token(), &from)) {
    return FinishUnary(context,
                       absl::InvalidArgumentError(
                           "page_token: not one this service returned"));
  }
  const size_t page =
      request->page_size() == 0
          ? 100
          : std::min<size_t>(request->page_size(), size_t{1000});
  const auto found =
      view_.Evaluations(request->model_id(), request->version(), from, page);
  if (!found.ok()) return FinishUnary(context, found.status());
  for (const uint64_t sequence : found->sequences) {
    auto entry = journal_.Get(sequence);
    if (!entry.ok()) return FinishUnary(context, entry.status());
    aigov::v1::DriftEvaluationEntry* out = response->add_evaluations();
    out->set_sequence(sequence);
    *out->mutable_recorded_at() = entry->recorded_at();
    *out->mutable_evaluation() = std::move(*entry->mutable_drift_evaluation());
    if (!request->feature().empty()) {
      auto* features = out->mutable_evaluation()->mutable_features();
      features->erase(
          std::remove_if(features->begin(), features->end(),
                         [&](const aigov::v1::FeatureEvaluation& f) {
                           return f.feature() != request->feature();
                         }),
          features->end());
    }
  }
  if (found->next) response->set_next_page_token(std::to_string(*found->next));
  return FinishUnary(context, absl::OkStatus());
}

}  // namespace aigov::server
