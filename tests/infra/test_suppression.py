"""SES's own suppression and the key of the CRM's suppression list, as the template sets them (issue 13, section 4)."""

from __future__ import annotations

from typing import Any

from .cfn import functions_of


def test_the_configuration_set_suppresses_bounces_and_complaints(template: dict[str, Any]):
    configuration_set = template["Resources"]["EmailConfigurationSet"]
    assert configuration_set["Properties"]["SuppressionOptions"] == {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]}
    # And every email the functions send goes through that configuration set
    for logical_id, function in functions_of(template).items():
        assert function["Environment"]["Variables"]["SES_CONFIGURATION_SET"] == {"Ref": "EmailConfigurationSet"}, \
            logical_id


def test_the_suppression_key_is_made_by_secrets_manager_and_outlives_the_stack(template: dict[str, Any]):
    secret = template["Resources"]["SuppressionKeySecret"]
    # A key nobody wrote (not in the template, not in code), encrypted with the stack's key
    assert secret["Type"] == "AWS::SecretsManager::Secret" and "SecretString" not in secret["Properties"]
    assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32
    assert secret["Properties"]["KmsKeyId"] == {"Ref": "TopicKey"}
    # And kept when the stack or the resource goes: a new key would forget every suppressed address
    assert (secret["DeletionPolicy"], secret["UpdateReplacePolicy"]) == ("RetainExceptOnCreate", "Retain")
    # And the functions find it by the environment
    for logical_id, function in functions_of(template).items():
        assert function["Environment"]["Variables"]["SUPPRESSION_KEY_SECRET"] == {"Ref": "SuppressionKeySecret"}, \
            logical_id
