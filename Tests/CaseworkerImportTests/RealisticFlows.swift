import CaseworkerCore

/// Foreign definitions the size and shape of real ones, written for these tests (the published
/// examples are small): a Conductor KYC onboarding and an Invopop invoice issuing flow.
enum RealisticFlows {
    /// Conductor: fetch the customer (HTTP, retried), score the risk (optional HTTP), record it
    /// (SET_VARIABLE), route on it (SWITCH: a sub-workflow and a DECISION for high risk, a
    /// TERMINATE for a sanctions hit, nothing for low risk, a manual review by default), cool off
    /// (WAIT with a duration), announce (EVENT after a start delay, optional) and finish
    /// (TERMINATE COMPLETED with the workflow's output).
    static let conductorKYC = """
        {
          "name": "kyc_onboarding",
          "description": "Know-your-customer check before an account is opened",
          "version": 3,
          "createTime": 1735802320196,
          "updateTime": 1735812484172,
          "createdBy": "ada@bank.example",
          "ownerEmail": "kyc-team@bank.example",
          "schemaVersion": 2,
          "restartable": true,
          "workflowStatusListenerEnabled": true,
          "workflowStatusListenerSink": "conductor:kyc_status",
          "tags": {"team": "kyc", "tier": "critical"},
          "timeoutPolicy": "TIME_OUT_WF",
          "timeoutSeconds": 172800,
          "failureWorkflow": "kyc_failure_cleanup",
          "inputParameters": ["customerId", "country"],
          "inputSchema": {"name": "kyc_input", "version": 1, "type": "JSON"},
          "enforceSchema": true,
          "inputTemplate": {},
          "variables": {"decision": "pending"},
          "rateLimitConfig": {"rateLimitKey": "${workflow.input.customerId}", "concurrentExecLimit": 1},
          "outputParameters": {
            "customerId": "${workflow.input.customerId}",
            "decision": "${workflow.variables.decision}",
            "riskLevel": "${score_ref.output.response.body.level}",
            "summary": "customer ${workflow.input.customerId}: ${workflow.variables.decision}"
          },
          "tasks": [
            {
              "name": "fetch_customer",
              "taskReferenceName": "customer_ref",
              "type": "HTTP",
              "inputParameters": {
                "http_request": {
                  "uri": "https://crm.internal.example/customers/${workflow.input.customerId}",
                  "method": "GET",
                  "accept": "application/json",
                  "headers": {"X-Correlation-Id": "${workflow.correlationId}"},
                  "connectionTimeOut": 2000,
                  "readTimeOut": 8000
                }
              },
              "retryCount": 2,
              "taskDefinition": {
                "name": "fetch_customer",
                "retryLogic": "EXPONENTIAL_BACKOFF",
                "retryDelaySeconds": 5,
                "timeoutSeconds": 30,
                "responseTimeoutSeconds": 20
              },
              "optional": false,
              "startDelay": 0,
              "asyncComplete": false
            },
            {
              "name": "risk_score",
              "taskReferenceName": "score_ref",
              "type": "HTTP",
              "optional": true,
              "inputParameters": {
                "uri": "https://risk.internal.example/v2/score",
                "method": "post",
                "contentType": "application/json",
                "body": {
                  "customer": "${customer_ref.output.response.body}",
                  "country": "${workflow.input.country}"
                }
              }
            },
            {
              "name": "record_score",
              "taskReferenceName": "record_ref",
              "type": "SET_VARIABLE",
              "inputParameters": {"riskLevel": "${score_ref.output.response.body.level}"}
            },
            {
              "name": "route_by_risk",
              "taskReferenceName": "risk_switch",
              "type": "SWITCH",
              "evaluatorType": "value-param",
              "expression": "level",
              "inputParameters": {"level": "${workflow.variables.riskLevel}"},
              "decisionCases": {
                "high": [
                  {
                    "name": "enhanced_due_diligence",
                    "taskReferenceName": "edd_ref",
                    "type": "SUB_WORKFLOW",
                    "subWorkflowParam": {"name": "kyc_edd", "version": 2},
                    "inputParameters": {"customerId": "${workflow.input.customerId}", "level": "${workflow.variables.riskLevel}"}
                  },
                  {
                    "name": "edd_outcome",
                    "taskReferenceName": "edd_decision",
                    "type": "DECISION",
                    "caseValueParam": "outcome",
                    "inputParameters": {"outcome": "${edd_ref.output.outcome}", "reviewer": "${edd_ref.output.reviewer}"},
                    "decisionCases": {
                      "rejected": [
                        {
                          "name": "reject",
                          "taskReferenceName": "reject_ref",
                          "type": "TERMINATE",
                          "inputParameters": {"terminationStatus": "FAILED", "terminationReason": "rejected by enhanced due diligence"}
                        }
                      ]
                    }
                  }
                ],
                "blocked": [
                  {
                    "name": "sanctions_hit",
                    "taskReferenceName": "blocked_ref",
                    "type": "TERMINATE",
                    "inputParameters": {"terminationStatus": "TERMINATED"}
                  }
                ],
                "low": []
              },
              "defaultCase": [
                {"name": "manual_review", "taskReferenceName": "review_ref", "type": "WAIT", "inputParameters": {}},
                {
                  "name": "record_review",
                  "taskReferenceName": "review_record_ref",
                  "type": "SET_VARIABLE",
                  "inputParameters": {"decision": "${review_ref.output.decision}"}
                }
              ]
            },
            {"name": "cooling_off", "taskReferenceName": "cooling_ref", "type": "WAIT", "inputParameters": {"duration": "2 hours"}},
            {
              "name": "announce",
              "taskReferenceName": "notify_ref",
              "type": "EVENT",
              "sink": "conductor:KYC Completed",
              "startDelay": 30,
              "optional": true,
              "inputParameters": {"customerId": "${workflow.input.customerId}", "decision": "${workflow.variables.decision}"}
            },
            {
              "name": "finish",
              "taskReferenceName": "done_ref",
              "type": "TERMINATE",
              "inputParameters": {
                "terminationStatus": "COMPLETED",
                "workflowOutput": {"decision": "approved", "level": "${workflow.variables.riskLevel}"}
              }
            }
          ]
        }
        """

    /// The native definition `conductorKYC` translates to.
    static let conductorKYCNative = """
        {
          "name": "kyc_onboarding",
          "description": "Know-your-customer check before an account is opened",
          "owner": "kyc-team@bank.example",
          "timeoutPolicy": "TIME_OUT_WF",
          "timeoutSeconds": 172800,
          "failureWorkflow": "kyc_failure_cleanup",
          "initialState": {"decision": "pending"},
          "rateLimit": {"key": "${input.customerId}", "concurrentExecLimit": 1},
          "output": {
            "customerId": "${input.customerId}",
            "decision": "${state.decision}",
            "riskLevel": "${steps.score_ref.output.body.level}",
            "summary": "customer ${input.customerId}: ${state.decision}"
          },
          "steps": [
            {
              "id": "customer_ref", "name": "fetch_customer", "action": "http.request",
              "config": {
                "url": "https://crm.internal.example/customers/${input.customerId}",
                "method": "GET",
                "headers": {"X-Correlation-Id": "${run.correlationId}", "Accept": "application/json"},
                "timeoutSeconds": 10
              },
              "retry": {"maxAttempts": 3, "backoff": "exponential", "initialDelaySeconds": 5, "maxDelaySeconds": 300, "jitter": false},
              "timeoutSeconds": 30
            },
            {
              "id": "score_ref", "name": "risk_score", "action": "http.request",
              "config": {
                "url": "https://risk.internal.example/v2/score",
                "method": "POST",
                "headers": {"Content-Type": "application/json"},
                "body": {"customer": "${steps.customer_ref.output.body}", "country": "${input.country}"}
              },
              "next": [{"status": "KO", "stepId": "record_ref"}, {"status": "TIMEOUT", "stepId": "record_ref"}]
            },
            {
              "id": "record_ref", "name": "record_score", "action": "transform",
              "config": {"set": {"riskLevel": "${steps.score_ref.output.body.level}"}}
            },
            {
              "id": "risk_switch", "name": "route_by_risk", "action": "switch",
              "config": {"value": "${state.riskLevel}"},
              "next": [
                {"code": "blocked", "steps": [
                  {"id": "blocked_ref", "name": "sanctions_hit", "action": "fail",
                   "config": {"code": "terminated", "reason": "terminated by the task blocked_ref"}}
                ]},
                {"code": "high", "steps": [
                  {"id": "edd_ref", "name": "enhanced_due_diligence", "action": "workflow.run",
                   "config": {"workflowDefinitionId": "kyc_edd", "version": 2,
                              "input": {"customerId": "${input.customerId}", "level": "${state.riskLevel}"}}},
                  {"id": "edd_decision", "name": "edd_outcome", "action": "switch",
                   "config": {"value": "${steps.edd_ref.output.outcome}"},
                   "next": [
                     {"code": "rejected", "steps": [
                       {"id": "reject_ref", "name": "reject", "action": "fail",
                        "config": {"code": "failed", "reason": "rejected by enhanced due diligence"}}
                     ]}
                   ]}
                ]},
                {"code": "low", "stepId": "cooling_ref"},
                {"steps": [
                  {"id": "review_ref", "name": "manual_review", "action": "await", "config": {"signal": "review_ref"}},
                  {"id": "review_record_ref", "name": "record_review", "action": "transform",
                   "config": {"set": {"decision": "${steps.review_ref.output.decision}"}}}
                ]}
              ]
            },
            {"id": "cooling_ref", "name": "cooling_off", "action": "wait", "config": {"seconds": 7200}},
            {"id": "notify_ref_delay", "name": "Start delay of notify_ref", "action": "wait", "config": {"seconds": 30}},
            {
              "id": "notify_ref", "name": "announce", "action": "event.emit",
              "config": {"type": "kyc_completed", "data": {"customerId": "${input.customerId}", "decision": "${state.decision}"}},
              "next": [{"status": "KO", "stepId": "done_ref"}, {"status": "TIMEOUT", "stepId": "done_ref"}]
            },
            {
              "id": "done_ref", "name": "finish", "action": "complete",
              "config": {"result": {"decision": "approved", "level": "${state.riskLevel}"}}
            }
          ],
          "metadata": {
            "conductor": {
              "inputParameters": ["customerId", "country"],
              "inputSchema": {"name": "kyc_input", "version": 1, "type": "JSON"},
              "restartable": true,
              "schemaVersion": 2,
              "tags": {"team": "kyc", "tier": "critical"},
              "workflowStatusListenerEnabled": true,
              "workflowStatusListenerSink": "conductor:kyc_status",
              "tasks": {
                "customer_ref": {"taskDefinition": {"responseTimeoutSeconds": 20}},
                "edd_decision": {"inputParameters": {"reviewer": "${edd_ref.output.reviewer}"}},
                "notify_ref": {"sink": "conductor:KYC Completed"}
              }
            }
          }
        }
        """

    /// Invopop: sign, register with the tax agency and, depending on the answer, render and send
    /// the invoice (a nested branch), note a duplicate (a jump) or ask for a review and fail (a
    /// nested branch holding an editor placeholder); rescue steps alert operations. Every
    /// provider action is mapped with `invoiceActionMap`.
    static let invopopInvoice = """
        {
          "id": "2d8f6b5e-6c1a-4a5b-9d7e-3f1c2b4a5e6f",
          "name": "Issue Spanish invoice",
          "description": "Sign, register with VeriFactu, render and send",
          "country": "ES",
          "schema": "bill/invoice",
          "draft": false,
          "steps": [
            {"id": "sign", "name": "Sign the envelope", "action": "gobl.sign", "config": {}, "position": {"x": 120, "y": 40}},
            {
              "id": "register",
              "name": "Register with VeriFactu",
              "action": "verifactu.register",
              "config": {"env": "production"},
              "next": [
                {
                  "status": "OK",
                  "code": "",
                  "steps": [
                    {"id": "pdf", "name": "Render the PDF", "action": "pdf.generate", "config": {"template": "standard", "locale": "es"}},
                    {
                      "id": "send",
                      "name": "Email the customer",
                      "notes": "the address comes from the case",
                      "action": "email.send",
                      "config": {"template": "invoice-issued", "subject": "Factura ${invoice.code}"}
                    }
                  ],
                  "stop": false
                },
                {"status": "KO", "code": "duplicate", "step_id": "duplicate"},
                {
                  "status": "KO",
                  "code": "rejected",
                  "steps": [
                    {
                      "id": "flag-review",
                      "name": "Ask for a review",
                      "action": "http.request",
                      "config": {"method": "POST", "url": "https://ops.internal.example/reviews", "body": {"case": "${case.id}"}}
                    },
                    {"id": "give-up", "name": "Give up", "action": "fail", "config": {"reason": "rejected by the tax agency", "code": "rejected"}},
                    {}
                  ]
                }
              ]
            },
            {"id": "done", "name": "Done", "action": "complete", "summary": "issued"},
            {"id": "duplicate", "name": "Note the duplicate", "action": "transform", "config": {"set": {"duplicate": true}}}
          ],
          "rescue": [
            {
              "id": "alert",
              "name": "Alert operations",
              "action": "email.send",
              "config": {"template": "invoice-failed"},
              "next": [{"status": "", "stop": true}]
            },
            {}
          ]
        }
        """

    static let invoiceActionMap: [String: JSONValue] = [
        "gobl.sign": ["method": "POST", "url": "https://gobl.internal.example/sign", "body": "${config}"],
        "verifactu.register": [
            "method": "POST", "url": "https://verifactu.internal.example/register?env=${config.env}", "body": ["case": "${case.id}"],
        ],
        "pdf.generate": [
            "method": "POST", "url": "https://pdf.internal.example/render",
            "body": ["template": "${config.template}", "locale": "${config.locale}"],
        ],
        "email.send": [
            "method": "POST", "url": "https://mail.internal.example/send", "headers": ["Content-Type": "application/json"],
            "body": ["to": "${case.email}", "template": "${config.template}", "options": "${config}"],
        ],
    ]

    /// The native definition `invopopInvoice` translates to with `invoiceActionMap`.
    static let invopopInvoiceNative = """
        {
          "name": "Issue Spanish invoice",
          "description": "Sign, register with VeriFactu, render and send",
          "steps": [
            {"id": "sign", "name": "Sign the envelope", "action": "http.request",
             "config": {"method": "POST", "url": "https://gobl.internal.example/sign", "body": {}}},
            {
              "id": "register", "name": "Register with VeriFactu", "action": "http.request",
              "config": {"method": "POST", "url": "https://verifactu.internal.example/register?env=production", "body": {"case": "${case.id}"}},
              "next": [
                {"status": "OK", "steps": [
                  {"id": "pdf", "name": "Render the PDF", "action": "http.request",
                   "config": {"method": "POST", "url": "https://pdf.internal.example/render", "body": {"template": "standard", "locale": "es"}}},
                  {"id": "send", "name": "Email the customer", "notes": "the address comes from the case", "action": "http.request",
                   "config": {"method": "POST", "url": "https://mail.internal.example/send", "headers": {"Content-Type": "application/json"},
                              "body": {"to": "${case.email}", "template": "invoice-issued",
                                       "options": {"template": "invoice-issued", "subject": "Factura $${invoice.code}"}}}}
                ]},
                {"status": "KO", "code": "duplicate", "stepId": "duplicate"},
                {"status": "KO", "code": "rejected", "steps": [
                  {"id": "flag-review", "name": "Ask for a review", "action": "http.request",
                   "config": {"method": "POST", "url": "https://ops.internal.example/reviews", "body": {"case": "${case.id}"}}},
                  {"id": "give-up", "name": "Give up", "action": "fail", "config": {"reason": "rejected by the tax agency", "code": "rejected"}}
                ]}
              ]
            },
            {"id": "done", "name": "Done", "action": "complete", "summary": "issued"},
            {"id": "duplicate", "name": "Note the duplicate", "action": "transform", "config": {"set": {"duplicate": true}}}
          ],
          "rescue": [
            {"id": "alert", "name": "Alert operations", "action": "http.request",
             "config": {"method": "POST", "url": "https://mail.internal.example/send", "headers": {"Content-Type": "application/json"},
                        "body": {"to": "${case.email}", "template": "invoice-failed", "options": {"template": "invoice-failed"}}},
             "next": [{"stop": true}]}
          ],
          "metadata": {"invopop": {"country": "ES", "schema": "bill/invoice", "steps": {"sign": {"position": {"x": 120, "y": 40}}}}}
        }
        """
}
