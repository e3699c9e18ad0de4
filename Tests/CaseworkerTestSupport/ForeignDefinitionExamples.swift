/// The published example bodies of the formats `caseworker import` reads, exactly as published
/// (the project's shared examples: `conductor-update-workflow.json`, Conductor's
/// `PUT /api/metadata/workflow` sample, and `invopop-create-workflow.json`, Invopop's
/// `PUT /transform/v1/workflows/{id}` sample).
public enum ForeignDefinitionExamples {
    public static let conductor = """
        {
          "createTime": 1735802320196,
          "updateTime": 1735812484172,
          "name": "api-test",
          "description": "Sample workflow created using API",
          "version": 2,
          "tasks": [
            {
              "name": "event",
              "taskReferenceName": "event_ref",
              "inputParameters": {},
              "type": "EVENT",
              "decisionCases": {},
              "defaultCase": [],
              "forkTasks": [],
              "startDelay": 0,
              "joinOn": [],
              "sink": "ibm_mq:internal_event_name",
              "optional": false,
              "defaultExclusiveJoinTask": [],
              "asyncComplete": false,
              "loopOver": [],
              "onStateChange": {},
              "permissive": false
            }
          ],
          "inputParameters": [],
          "outputParameters": {},
          "failureWorkflow": "",
          "schemaVersion": 2,
          "restartable": false,
          "workflowStatusListenerEnabled": false,
          "ownerEmail": "john.doe@acme.com",
          "timeoutPolicy": "ALERT_ONLY",
          "timeoutSeconds": 0,
          "variables": {},
          "inputTemplate": {},
          "rateLimitConfig": {
            "rateLimitKey": "12",
            "concurrentExecLimit": 33
          },
          "enforceSchema": true
        }
        """

    public static let invopop = """
        {
          "country": "ES",
          "description": "<string>",
          "name": "<string>",
          "schema": "bill/invoice",
          "steps": [
            {
              "action": "email.send",
              "config": {},
              "id": "186522a6-e697-4e34-8498-eee961bcb845",
              "name": "<string>",
              "next": [
                {
                  "code": "<string>",
                  "status": "OK",
                  "step_id": "186522a6-e697-4e34-8498-eee961bcb845",
                  "steps": [
                    {}
                  ],
                  "stop": true
                }
              ],
              "notes": "<string>",
              "summary": "<string>"
            }
          ]
        }
        """
}
