// Evaluates IAM requests against one identity policy with @cloud-copilot/iam-simulate
// (tests/support/iam.py runs it). stdin: {"policy": {...}, "account": "...",
// "requests": [{"action", "resource", "context"}]}; stdout: one decision per request,
// in order ("Allowed", "ImplicitlyDenied", "ExplicitlyDenied", or "error: ...").
// argv[2]: the directory whose node_modules holds the package.
'use strict'
const path = require('path')
const { createRequire } = require('module')
const { runSimulation } = createRequire(path.join(process.argv[2], 'package.json'))(
  '@cloud-copilot/iam-simulate'
)

async function main() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  const principal = `arn:aws:iam::${input.account}:role/sagemaker-reconciler`
  const decisions = []
  for (const request of input.requests) {
    const answer = await runSimulation(
      {
        identityPolicies: [{ name: 'reconciler', policy: input.policy }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        request: {
          principal,
          action: request.action,
          resource: { resource: request.resource, accountId: input.account },
          contextVariables: request.context,
        },
      },
      {}
    )
    if (answer.resultType === 'error') {
      decisions.push('error: ' + JSON.stringify(answer.errors))
    } else {
      decisions.push(answer.overallResult)
    }
  }
  process.stdout.write(JSON.stringify(decisions))
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err))
  process.exit(1)
})
