"""Published facts about dangerous IAM permissions, as data.

``METHODS``: privilege-escalation methods — each a name and the actions that together make it —
from the published catalogues (Rhino Security Labs' "AWS IAM Privilege Escalation" methods, as
implemented by Cloudsplaining and PMapper, and the pathfinding.cloud paths they link to).
``CREDENTIAL_EXPOSURE`` / ``DATA_EXFILTRATION``: actions that return credentials or secrets, and
read-only actions that hand over data (the categories Cloudsplaining reports), used by PL1015.
"""
from __future__ import annotations

_METHODS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Rewriting a policy that is already attached
    ("CreateNewPolicyVersion", ("iam:CreatePolicyVersion",)),
    ("SetExistingDefaultPolicyVersion", ("iam:SetDefaultPolicyVersion",)),
    # Granting oneself (or a principal one controls) more permissions
    ("AttachUserPolicy", ("iam:AttachUserPolicy",)),
    ("AttachGroupPolicy", ("iam:AttachGroupPolicy",)),
    ("AttachRolePolicy", ("iam:AttachRolePolicy",)),
    ("PutUserPolicy", ("iam:PutUserPolicy",)),
    ("PutGroupPolicy", ("iam:PutGroupPolicy",)),
    ("PutRolePolicy", ("iam:PutRolePolicy",)),
    ("AddUserToGroup", ("iam:AddUserToGroup",)),
    ("UpdateRolePolicyToAssumeIt", ("iam:UpdateAssumeRolePolicy",)),
    # Taking over another principal's credentials
    ("CreateAccessKey", ("iam:CreateAccessKey",)),
    ("CreateLoginProfile", ("iam:CreateLoginProfile",)),
    ("UpdateLoginProfile", ("iam:UpdateLoginProfile",)),
    # Passing an existing, more privileged role to a service that runs code one controls
    ("CreateEC2WithExistingIP", ("iam:PassRole", "ec2:RunInstances")),
    ("PassExistingRoleToNewEC2SpotInstance", ("iam:PassRole", "ec2:RequestSpotInstances")),
    ("PassExistingRoleToNewLambdaThenInvoke", ("iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction")),
    ("PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo",
     ("iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping")),
    ("PassExistingRoleToNewLambdaThenAddPermission", ("iam:PassRole", "lambda:CreateFunction", "lambda:AddPermission")),
    ("PassExistingRoleToNewGlueDevEndpoint", ("iam:PassRole", "glue:CreateDevEndpoint")),
    ("PassExistingRoleToNewGlueJobThenRun", ("iam:PassRole", "glue:CreateJob", "glue:StartJobRun")),
    ("PassExistingRoleToCloudFormation", ("iam:PassRole", "cloudformation:CreateStack")),
    ("PassExistingRoleToNewDataPipeline", ("iam:PassRole", "datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition")),
    ("PassExistingRoleToNewCodeBuildProjectThenBuild", ("iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild")),
    ("PassExistingRoleToNewSageMakerNotebookInstance", ("iam:PassRole", "sagemaker:CreateNotebookInstance")),
    ("PassExistingRoleToNewECSTaskViaRunTask", ("iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask")),
    ("PassExistingRoleToNewAppRunnerService", ("iam:PassRole", "apprunner:CreateService")),
    # Changing code that already runs with a role
    ("UpdateExistingGlueDevEndpoint", ("glue:UpdateDevEndpoint",)),
    ("EditExistingLambdaFunctionWithRole", ("lambda:UpdateFunctionCode",)),
    ("CreatePresignedSageMakerNotebookUrl", ("sagemaker:CreatePresignedNotebookInstanceUrl",)),
)

# The services each PassRole method passes the role to (as ``iam:PassedToService`` names them; the
# China partition's ``….com.cn`` too): a statement whose condition confines ``iam:PassedToService``
# to other services does not give that method its ``iam:PassRole``.
_PASSED_TO: dict[str, tuple[str, ...]] = {
    "CreateEC2WithExistingIP": ("ec2.amazonaws.com",),
    "PassExistingRoleToNewEC2SpotInstance": ("ec2.amazonaws.com",),
    "PassExistingRoleToNewLambdaThenInvoke": ("lambda.amazonaws.com",),
    "PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo": ("lambda.amazonaws.com",),
    "PassExistingRoleToNewLambdaThenAddPermission": ("lambda.amazonaws.com",),
    "PassExistingRoleToNewGlueDevEndpoint": ("glue.amazonaws.com",),
    "PassExistingRoleToNewGlueJobThenRun": ("glue.amazonaws.com",),
    "PassExistingRoleToCloudFormation": ("cloudformation.amazonaws.com",),
    "PassExistingRoleToNewDataPipeline": ("datapipeline.amazonaws.com", "elasticmapreduce.amazonaws.com",
                                          "ec2.amazonaws.com"),
    "PassExistingRoleToNewCodeBuildProjectThenBuild": ("codebuild.amazonaws.com",),
    "PassExistingRoleToNewSageMakerNotebookInstance": ("sagemaker.amazonaws.com",),
    "PassExistingRoleToNewECSTaskViaRunTask": ("ecs-tasks.amazonaws.com",),
    "PassExistingRoleToNewAppRunnerService": ("apprunner.amazonaws.com", "build.apprunner.amazonaws.com",
                                              "tasks.apprunner.amazonaws.com"),
}
PASSED_TO_SERVICE_KEY = "iam:passedtoservice"

# A statement whose condition fixes one of these keys grants the method's actions only for the
# policies named (iam:PolicyARN) or under a permissions boundary: it is not an escalation path.
LIMITING_KEYS: tuple[str, ...] = ("iam:policyarn", "iam:permissionsboundary")

CREDENTIAL_EXPOSURE: tuple[str, ...] = (
    "iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:CreateLoginProfile", "iam:CreateServiceSpecificCredential",
    "iam:ResetServiceSpecificCredential", "sts:GetFederationToken", "sts:GetSessionToken",
    "ec2:GetPasswordData", "ecr:GetAuthorizationToken", "ecr-public:GetAuthorizationToken",
    "codeartifact:GetAuthorizationToken", "cognito-identity:GetCredentialsForIdentity",
    "cognito-identity:GetOpenIdTokenForDeveloperIdentity", "redshift:GetClusterCredentials",
    "redshift:GetClusterCredentialsWithIAM", "redshift-serverless:GetCredentials", "rds-db:connect",
    "sso:GetRoleCredentials", "lightsail:GetInstanceAccessDetails", "lightsail:DownloadDefaultKeyPair",
    "lightsail:GetRelationalDatabaseMasterUserPassword", "lightsail:CreateBucketAccessKey",
    "appsync:CreateApiKey", "grafana:CreateWorkspaceApiKey", "gamelift:RequestUploadCredentials",
    "gamelift:GetInstanceAccess", "cloud9:CreateEnvironmentToken", "airflow:CreateCliToken",
    "airflow:CreateWebLoginToken", "mediapackage:RotateIngestEndpointCredentials",
    "emr-containers:GetManagedEndpointSessionCredentials", "connect:GetFederationToken",
)

DATA_EXFILTRATION: tuple[str, ...] = (
    "s3:GetObject", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath",
    "secretsmanager:GetSecretValue", "kms:Decrypt",
)

CATEGORIES = {
    "credential_exposure": CREDENTIAL_EXPOSURE,
    "data_exfiltration": DATA_EXFILTRATION,
    "exposure": CREDENTIAL_EXPOSURE + DATA_EXFILTRATION,
}

_PROPER = {a.lower(): a for _, needed in _METHODS for a in needed}
_PROPER.update({a.lower(): a for a in CREDENTIAL_EXPOSURE + DATA_EXFILTRATION})

# As policies are normalised (actions lower case).
METHODS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (name, tuple(a.lower() for a in needed)) for name, needed in _METHODS)
#: the services (lower case) whose actions make some method
SERVICES: frozenset[str] = frozenset(a.partition(":")[0] for _, needed in METHODS for a in needed)


def proper(action: str) -> str:
    """An action of these lists as AWS spells it."""
    return _PROPER.get(action.lower(), action)


def passed_to(method: str) -> tuple[str, ...]:
    """The service principals a PassRole method passes the role to (empty for other methods)."""
    found = _PASSED_TO.get(method, ())
    return found + tuple(f"{service}.cn" for service in found)
