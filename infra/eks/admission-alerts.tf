# infra/eks/admission-alerts.tf: admission decisions in the EKS audit log, alerted on
# (checklist item 5, "admission logs monitored"). The audit log type is enabled in main.tf;
# the module creates the log group /aws/eks/<cluster>/cluster.
#
# A request the Gatekeeper webhook denies is recorded by the API server with response code 403
# and the message 'admission webhook "validation.gatekeeper.sh" denied the request: ...'.
resource "aws_cloudwatch_log_metric_filter" "gatekeeper_denials" {
  name           = "${var.cluster_name}-gatekeeper-denials"
  log_group_name = module.eks.cloudwatch_log_group_name
  pattern        = "{ ($.responseStatus.code = 403) && ($.responseStatus.message = \"*validation.gatekeeper.sh*\") }"

  metric_transformation {
    name          = "GatekeeperAdmissionDenials"
    namespace     = "AstraDesk/Admission"
    value         = "1"
    default_value = "0"
  }
}

resource "aws_cloudwatch_metric_alarm" "gatekeeper_denials" {
  alarm_name          = "${var.cluster_name}-gatekeeper-denials"
  alarm_description   = "Gatekeeper denied admission requests: see docs/operations/admission-monitoring.md"
  namespace           = "AstraDesk/Admission"
  metric_name         = aws_cloudwatch_log_metric_filter.gatekeeper_denials.metric_transformation[0].name
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.admission_alarm_topic_arn]
}
