#!/usr/bin/env bash
# Build, package, deploy and tear down Zagg's AWS stack (deployment/aws/template.yaml).
#
#   deploy.sh build    [options]   dotnet publish deployment/aws/Zagg.Lambda for linux-arm64 -> a zip with `bootstrap` at its root
#   deploy.sh package  [options]   upload the zip to --code-bucket (key zagg-lambda/<sha256>.zip)
#   deploy.sh deploy   [options]   aws cloudformation deploy of the template with the uploaded code, then print the stack's outputs
#   deploy.sh all      [options]   build, package and deploy
#   deploy.sh teardown [options]   delete the stack; empty and remove the output bucket when the stack created it (--keep-output keeps it)
#
# Options:
#   --prefix P              deployment prefix (required): queues P-zagg-<service>[-dlq], stack P-zagg, zagg --sqs-prefix P
#   --region R              AWS region (default $AWS_REGION, else $AWS_DEFAULT_REGION, else us-west-2, where NSIDC's data is)
#   --code-bucket B         bucket for the Lambda zip (package, deploy, all)
#   --memory MB             the worker's configured memory (default 512)
#   --timeout S             the worker's timeout, seconds (default 300)
#   --max-concurrency N     cells at once (default 200)
#   --output-bucket B       an existing output bucket (default: the stack creates one)
#   --output-prefix K       key prefix of the stores (default zagg)
#   --earthdata-secret ARN  Secrets Manager secret with {"token": "<EDL bearer token>"} (see docs/security.md)
#   --keep-output           teardown: keep the bucket the stack created
#   --dry-run               print the commands instead of running them (needs neither the aws CLI nor credentials)
#
# Environment: AWS_CLI (default `aws`), DOTNET (default `dotnet`); AWS credentials as the aws CLI finds them.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
aws_cli=${AWS_CLI:-aws}
dotnet_cli=${DOTNET:-dotnet}

fail() { echo "deploy.sh: error: $*" >&2; exit 1; }
# --help prints the header comment above, without its "#".
usage() { sed -n '2,/^set -euo pipefail/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }
case "${1:-}" in -h|--help|help) usage; exit 0 ;; esac

[ $# -ge 1 ] || fail "no command; one of build, package, deploy, all, teardown (see the header of $0)"
command=$1; shift
case "$command" in build|package|deploy|all|teardown) ;; *) fail "unknown command '$command'; one of build, package, deploy, all, teardown" ;; esac

prefix="" region=${AWS_REGION:-${AWS_DEFAULT_REGION:-us-west-2}} code_bucket="" memory=512 timeout=300 max_concurrency=200
output_bucket="" output_prefix="zagg" earthdata_secret="" keep_output=0 dry_run=0
need() { [ $# -ge 2 ] && [ -n "$2" ] || fail "$1 needs a value"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) need "$@"; prefix=$2; shift 2 ;;
    --region) need "$@"; region=$2; shift 2 ;;
    --code-bucket) need "$@"; code_bucket=$2; shift 2 ;;
    --memory) need "$@"; memory=$2; shift 2 ;;
    --timeout) need "$@"; timeout=$2; shift 2 ;;
    --max-concurrency) need "$@"; max_concurrency=$2; shift 2 ;;
    --output-bucket) need "$@"; output_bucket=$2; shift 2 ;;
    --output-prefix) need "$@"; output_prefix=$2; shift 2 ;;
    --earthdata-secret) need "$@"; earthdata_secret=$2; shift 2 ;;
    --keep-output) keep_output=1; shift ;;
    --dry-run) dry_run=1; shift ;;
    *) fail "unknown option '$1'" ;;
  esac
done

[ -n "$prefix" ] || fail "--prefix is required (the deployment prefix, e.g. --prefix zagg1)"
[[ "$prefix" =~ ^[a-z][a-z0-9-]{0,29}$ ]] || fail "--prefix '$prefix': 1-30 lower-case letters, digits and dashes, starting with a letter"
[[ "$memory" =~ ^[0-9]+$ ]] && [ "$memory" -ge 128 ] && [ "$memory" -le 10240 ] || fail "--memory '$memory': a whole number of MB, 128-10240"
[[ "$timeout" =~ ^[0-9]+$ ]] && [ "$timeout" -ge 10 ] && [ "$timeout" -le 900 ] || fail "--timeout '$timeout': whole seconds, 10-900"
[[ "$max_concurrency" =~ ^[0-9]+$ ]] && [ "$max_concurrency" -ge 2 ] && [ "$max_concurrency" -le 1000 ] || fail "--max-concurrency '$max_concurrency': 2-1000"
case "$command" in package|deploy|all) [ -n "$code_bucket" ] || fail "--code-bucket is required for $command (the bucket the Lambda zip is uploaded to)" ;; esac

stack="$prefix-zagg"
out="$root/artifacts/lambda"
zip_file="$out/zagg-lambda-linux-arm64.zip"
project="$root/deployment/aws/Zagg.Lambda/Zagg.Lambda.csproj"

# Runs a command, or prints it (shell-quoted, after "+ ") with --dry-run.
run() {
  if [ "$dry_run" = 1 ]; then printf '+'; printf ' %q' "$@"; printf '\n'; else "$@"; fi
}

# Runs a command in a folder (a subshell), or prints it with --dry-run.
run_in() {
  local dir=$1; shift
  if [ "$dry_run" = 1 ]; then printf '+ (cd %q &&' "$dir"; printf ' %q' "$@"; printf ')\n'; else (cd "$dir" && "$@"); fi
}

# The aws CLI must exist and find credentials (skipped by --dry-run, which calls nothing).
check_aws() {
  [ "$dry_run" = 1 ] && return 0
  command -v "$aws_cli" >/dev/null 2>&1 || fail "the aws CLI ('$aws_cli') is not installed or not on PATH; install AWS CLI v2 (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)"
  "$aws_cli" sts get-caller-identity --region "$region" --output text >/dev/null 2>&1 \
    || fail "no usable AWS credentials for region $region ('$aws_cli sts get-caller-identity' failed); set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run 'aws sso login'"
}

build() {
  if [ "$dry_run" = 0 ]; then
    [ -f "$project" ] || fail "$project is missing (the Lambda project this script publishes)"
    command -v "$dotnet_cli" >/dev/null 2>&1 || fail "the .NET SDK ('$dotnet_cli') is not on PATH"
    command -v zip >/dev/null 2>&1 || fail "zip is not installed (apt-get install zip)"
  fi
  run rm -rf "$out/publish"
  run "$dotnet_cli" publish "$project" -c Release -r linux-arm64 --self-contained true -p:PublishReadyToRun=true -o "$out/publish"
  run rm -f "$zip_file"
  run_in "$out/publish" zip -q -r -y "$zip_file" .
  if [ "$dry_run" = 0 ]; then
    unzip -l "$zip_file" | grep -qE '[[:space:]]bootstrap$' || fail "$zip_file has no 'bootstrap' at its root (the Lambda's AssemblyName must be bootstrap)"
    echo "deploy.sh: built $zip_file ($(stat -c %s "$zip_file") bytes)"
  fi
}

# The code's key: its SHA-256, so CloudFormation sees a changed build as a changed function.
code_key() {
  if [ -f "$zip_file" ]; then echo "zagg-lambda/$(sha256sum "$zip_file" | cut -d' ' -f1).zip"
  elif [ "$dry_run" = 1 ]; then echo "zagg-lambda/SHA256-OF-ZIP.zip"
  else fail "$zip_file is missing; run 'deploy.sh build' first"; fi
}

package() {
  check_aws
  local key; key=$(code_key)
  run "$aws_cli" s3 cp "$zip_file" "s3://$code_bucket/$key" --region "$region" --only-show-errors
}

deploy() {
  check_aws
  local key; key=$(code_key)
  local params=(DeploymentPrefix="$prefix" CodeS3Bucket="$code_bucket" CodeS3Key="$key" LambdaMemoryMB="$memory"
    LambdaTimeoutSeconds="$timeout" QueueVisibilityTimeoutSeconds="$((timeout * 6))" MaxConcurrency="$max_concurrency"
    OutputBucketName="$output_bucket" OutputPrefix="$output_prefix" EarthdataTokenSecretArn="$earthdata_secret")
  run "$aws_cli" cloudformation deploy --region "$region" --stack-name "$stack" --template-file "$here/template.yaml" \
    --capabilities CAPABILITY_NAMED_IAM --no-fail-on-empty-changeset --parameter-overrides "${params[@]}"
  run "$aws_cli" cloudformation describe-stacks --region "$region" --stack-name "$stack" --query "Stacks[0].Outputs" --output table
}

teardown() {
  check_aws
  local created=""
  if [ "$dry_run" = 1 ]; then
    created="BUCKET-THE-STACK-CREATED"
    run "$aws_cli" cloudformation describe-stack-resource --region "$region" --stack-name "$stack" --logical-resource-id OutputBucket \
      --query StackResourceDetail.PhysicalResourceId --output text
  else
    # The bucket is the stack's only when it created it (no OutputBucketName given): the resource exists then.
    created=$("$aws_cli" cloudformation describe-stack-resource --region "$region" --stack-name "$stack" --logical-resource-id OutputBucket \
      --query StackResourceDetail.PhysicalResourceId --output text 2>/dev/null || true)
  fi
  run "$aws_cli" cloudformation delete-stack --region "$region" --stack-name "$stack"
  run "$aws_cli" cloudformation wait stack-delete-complete --region "$region" --stack-name "$stack"
  if [ -n "$created" ] && [ "$created" != "None" ]; then
    if [ "$keep_output" = 1 ]; then
      echo "deploy.sh: kept the output bucket s3://$created (--keep-output)"
    else
      # The template retains the bucket on stack deletion (so an update never drops products); teardown removes it.
      run "$aws_cli" s3 rm "s3://$created" --recursive --region "$region" --only-show-errors
      run "$aws_cli" s3api delete-bucket --bucket "$created" --region "$region"
    fi
  fi
}

case "$command" in
  build) build ;;
  package) package ;;
  deploy) deploy ;;
  all) build; package; deploy ;;
  teardown) teardown ;;
esac
