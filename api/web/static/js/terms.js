// Chinese labels of the glossary (docs/glossary.md) for the codes the API answers with.
export const METRICS = {
  found: "发现隐患", fixed: "闭环销号", overdue: "逾期未整改", listed: "挂牌督办", escalated: "提级督办", reopened: "回头看重开",
};
export const GRADES = { general: "一般隐患", major: "重大事故隐患" };
export const COLOURS = { red: "红", orange: "橙", yellow: "黄", blue: "蓝" };
// the same words as the API's status_term (domain/hazards.py STATUS_TERMS, projections/tips.py STATUS_TERMS)
export const HAZARD_STATUS = {
  reported: "待整改", rectifying: "整改中", overdue: "逾期未整改", submitted: "待验收", accepted: "验收通过",
  closed: "已销号",
};
export const MODES = { immediate: "即知即改", deadline: "限期整改", suspension: "停产停业整顿" };
export const SOURCES = { inspection: "检查发现", self_reported: "自查自报", grid_patrol: "网格巡查", tip: "举报" };
export const TIP_STATUS = {
  received: "已受理", substantiated: "属实", unsubstantiated: "不属实", reward_proposed: "拟奖励", reward_paid: "已奖励",
};
export const CHANNELS = {  // domain/tips.py CHANNEL_TERMS
  hotline_12350: "12350举报电话", hotline_12345: "12345政务热线", web: "网站举报", letter: "来信", visit: "来访",
  internal_whistleblower: "吹哨人举报",
};
export const INSPECTION_KINDS = {
  enforcement: "执法检查", campaign: "大检查", undercover: "暗访", cross: "交叉检查", self_check: "企业自查",
  leader: "领导带队检查", grid_patrol: "网格巡查",
};
export const INSPECTION_STATUS = { open: "进行中", completed: "已完成" };
export const ROLES = {
  admin: "管理员", registrar: "登记员", inspector: "检查员", enforcement: "执法人员", investigator: "事故调查人员",
  auditor: "审计", viewer: "查阅", stream: "数据订阅", tip_officer: "举报受理", enterprise: "企业用户",
};
export const FLAGS = { zero_enforcement: "零执法", leader_inspection_missed: "领导带队检查缺失" };

export const label = (table, code) => (code == null ? "" : table[code] || code);
export const LEVELS = { province: "省", city: "市", county: "区/县", town: "镇/街道", village: "村/社区" };  // LEVEL_TERMS
export const LINES = {  // docs/glossary.md: Line
  entity: "企业主体责任", supervisory: "部门监管责任", territorial: "属地管理责任", intermediary: "中介机构责任",
  leadership: "党政领导责任",
};
export const CASE_STATUS = {  // domain/cases.py STATUS_TERMS
  opened: "已立案", notified: "已告知", hearing_requested: "已申请听证", heard: "已听证", reviewed: "已法制审核",
  decided: "已决定", served: "已送达", paid: "已缴纳",
};
export const TIERS = { exempt: "不予处罚", standard: "一般", aggravated: "从重" };
export const SLIPS = { assignment: "交办单", supervision: "督办单" };  // domain/accountability.py SLIP_TERMS
// domain/rules/accidents.py GRADE_TERMS (493号令 第3条) and domain/accidents.py KIND_TERMS
export const ACCIDENT_GRADES = { general: "一般事故", serious: "较大事故", major: "重大事故", extraordinary: "特别重大事故" };
export const ACCIDENT_KINDS = { work: "生产安全事故", road_traffic: "道路交通事故", fire: "火灾事故" };
export const LISTING_STATES = {  // domain/blacklist.py STATUS_TERMS (严重失信主体名单)
  proposed: "建议列入", listed: "已列入", declined: "不予列入", removed: "已提前移出", expired: "期满移出",
};
export const PROJECT_KINDS = { project: "项目", plan: "规划" };  // domain/assessments.py ProjectKind (seed 003 ¶31)
export const OUTSOURCING_CONCERNS = {  // domain/outsourcing.py CONCERN_TERMS (安全生产法 第49条; 动态审核: seed 000 ¶18)
  no_agreement: "未签订安全生产管理协议或约定各自职责", no_qualification_shown: "未载明承包承租方的安全生产条件或资质",
  never_reviewed: "未记录对承包单位的动态审核", review_overdue: "动态审核已逾期",
  retained_despite_findings: "动态审核发现不符合要求而未予清退",
};
