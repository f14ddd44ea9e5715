#!/bin/bash
# Apache DolphinScheduler: the script of a Shell task that runs one seatunnel-py job in a container.
#
# Paste it into the task's "Script" field (or keep it on the worker and call it). DolphinScheduler
# replaces ${name} with its parameters before the script runs: ${system.biz.date} below is the
# business date of the workflow instance, and ${jobFile} (a file in the jobs folder) and ${image}
# are custom parameters (IN) of the task or workflow. The job gets the date as the variable
# ${bizdate} (`-i bizdate=…`). Shell variables of the script are written $name, without braces,
# so that DolphinScheduler leaves them alone. The worker needs the docker client and the image.
#
# A task succeeds when its script exits 0. The script maps the job's exit codes:
#   0   success
#   3   success, with rows rejected by the job's error policy (counted in the run report)
#   75  failure, retryable: a server was unreachable, a timeout, or the previous run still holds
#       the job's lock; set the task's "failed retry times" and "retry interval" for these
#   1   failure: the job failed (running it again resumes, but will likely fail the same way)
#   2   failure: bad job file or usage; nothing ran; fix the job, a retry cannot help
#   125-127  failure: docker could not run the container (image, daemon, mounts)
#   other    failure: the container was killed (137: out of memory or SIGKILL)
# The task is stopped with SIGTERM ("stop" in the UI, a timeout): the script stops the container
# with `docker stop`, the job takes its final checkpoint, and the next run resumes from it.
set -u

# shellcheck disable=SC2016  # DolphinScheduler fills these in before the script runs
job='${jobFile}'
image='${image}'
bizdate='${system.biz.date}'
# the worker's folders; its environment (DolphinScheduler's dolphinscheduler_env.sh) may move them
jobs_dir=$(printenv SEATUNNEL_PY_JOBS || echo /etc/seatunnel-py/jobs)
state_dir=$(printenv SEATUNNEL_PY_STATE || echo /var/lib/seatunnel-py/state)
env_file=$(printenv SEATUNNEL_PY_ENV_FILE || echo /etc/seatunnel-py/secrets.env)

report_dir=$(mktemp -d)
chmod 0777 "$report_dir"
cid=$report_dir/cid
args="--rm --network host --stop-timeout 60 -v $jobs_dir:/jobs:ro -v $state_dir:/state -v $report_dir:/report"
[ -f "$env_file" ] && args="$args --env-file $env_file"

stop_container() {
  trap '' TERM INT HUP
  [ -s "$cid" ] && docker stop -t 60 "$(cat "$cid")" >/dev/null 2>&1
}
trap stop_container TERM INT HUP

# shellcheck disable=SC2086
docker run $args --cidfile "$cid" "$image" run --no-progress --report /report/run.json \
  "/jobs/$job" -i "bizdate=$bizdate" </dev/null &
client=$!
wait $client
rc=$?
while kill -0 $client 2>/dev/null; do wait $client; rc=$?; done
[ -f "$report_dir/run.json" ] && echo "run report: $(tr -d '\n' <"$report_dir/run.json")"
rm -rf "$report_dir"

case $rc in
  0) echo "seatunnel-py: $job succeeded"; exit 0 ;;
  3) echo "seatunnel-py: $job succeeded; rows were rejected by its error policy (see the run report)"; exit 0 ;;
  75) echo "seatunnel-py: $job failed, retryable (exit 75): a server, a timeout or the job's lock; the task's retries may pass" ;;
  1) echo "seatunnel-py: $job failed (exit 1); the log above says which plugin and why" ;;
  2) echo "seatunnel-py: $job was not run: bad job file or usage (exit 2); fix it, a retry cannot help" ;;
  125|126|127) echo "seatunnel-py: docker could not run the container (exit $rc)" ;;
  *) echo "seatunnel-py: $job ended with exit $rc (137: killed, e.g. out of memory)" ;;
esac
exit "$rc"
