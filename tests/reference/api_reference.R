# Reference figures from R's survey package on the California API samples.
#
# Usage (from the project root):
#   Rscript tests/reference/api_reference.R ../shared/testdata/r_survey tests/reference
# Writes api_figures.csv (key, value) and api_weights.csv (one row per school).
# Produced with R survey 4.1.1; every key is written next to the R call that made it,
# and the Python tests quote the same call above each comparison.
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")

args <- commandArgs(trailingOnly = TRUE)
datadir <- if (length(args) >= 1) args[1] else "../shared/testdata/r_survey"
outdir <- if (length(args) >= 2) args[2] else "tests/reference"

apistrat <- read.csv(file.path(datadir, "survey_apistrat.csv"))
apiclus1 <- read.csv(file.path(datadir, "survey_apiclus1.csv"))
apipop <- read.csv(file.path(datadir, "survey_apipop.csv"))
apistrat$awards_yes <- apistrat$awards == "Yes"
apiclus1$awards_yes <- apiclus1$awards == "Yes"
apiclus1$sch_wide_yes <- apiclus1$sch.wide == "Yes"

figs <- new.env()
put <- function(key, value) {
  value <- as.vector(value)
  if (length(value) == 1) assign(key, value, envir = figs)
  else for (i in seq_along(value)) assign(paste0(key, ".", i), value[i], envir = figs)
}
put_stat <- function(key, stat) {  # svymean / svytotal: estimate and SE per column
  est <- coef(stat)
  se <- as.vector(SE(stat))
  for (i in seq_along(est)) {
    put(paste0(key, ".", names(est)[i]), est[i])
    put(paste0(key, ".", names(est)[i], ".se"), se[i])
  }
}
put_by <- function(key, tab) {  # svyby: key.<domain>.<estimate|se|ci_l|ci_u>.<variable>
  info <- attr(tab, "svyby")
  m <- length(info$margins)
  k <- info$nstats
  blocks <- c("estimate", unlist(lapply(info$vartype, function(v)
    if (v == "ci") c("ci_l", "ci_u") else v)))
  for (r in seq_len(nrow(tab))) for (b in seq_along(blocks)) for (j in seq_len(k))
    put(paste(key, rownames(tab)[r], blocks[b], info$variables[j], sep = "."),
        tab[r, m + (b - 1) * k + j])
}
put_ciprop <- function(key, p) {
  put(paste0(key, ".estimate"), as.vector(p))
  put(paste0(key, ".se"), sqrt(as.vector(attr(p, "var"))))
  put(paste0(key, ".ci_low"), attr(p, "ci")[1])
  put(paste0(key, ".ci_high"), attr(p, "ci")[2])
}
put_chisq <- function(key, test) {
  put(paste0(key, ".statistic"), test$statistic)
  put(paste0(key, ".p_value"), test$p.value)
  put(paste0(key, ".parameter"), test$parameter)
}

## ---- apistrat: stratified by school type, with fpc -------------------------------
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
put_stat("strat.svymean.api00", svymean(~api00, dstrat))
put_stat("strat.svytotal.enroll", svytotal(~enroll, dstrat))
put_stat("strat.svymean.awards", svymean(~awards, dstrat))
put_by("strat.svyby_mean.api00.stype", svyby(~api00, ~stype, dstrat, svymean))
put_by("strat.svyby_mean.awards.stype", svyby(~awards, ~stype, dstrat, svymean))
put("strat.degf", degf(dstrat))
put_ciprop("strat.svyciprop_logit.awards", svyciprop(~awards_yes, dstrat, method = "logit"))
put_ciprop("strat.svyciprop_beta.awards", svyciprop(~awards_yes, dstrat, method = "beta"))
put_by("strat.svyby_ciprop_logit.awards.stype",
       svyby(~awards_yes, ~stype, dstrat, svyciprop, method = "logit", vartype = c("se", "ci")))
put_by("strat.svyby_ciprop_beta.awards.stype",
       svyby(~awards_yes, ~stype, dstrat, svyciprop, method = "beta", vartype = c("se", "ci")))
put_chisq("strat.svychisq_F.awards_yr_rnd", svychisq(~awards + yr.rnd, dstrat))
put_chisq("strat.svychisq_Chisq.awards_yr_rnd", svychisq(~awards + yr.rnd, dstrat, statistic = "Chisq"))

# Post-stratified on sch.wide with counts from the population file.
pop_schwide <- as.data.frame(table(sch.wide = apipop$sch.wide))
pstrat <- postStratify(dstrat, ~sch.wide, pop_schwide)
put_stat("strat_ps.svymean.api00", svymean(~api00, pstrat))
put_stat("strat_ps.svytotal.enroll", svytotal(~enroll, pstrat))
put_by("strat_ps.svyby_mean.api00.stype", svyby(~api00, ~stype, pstrat, svymean))
put_ciprop("strat_ps.svyciprop_beta.awards", svyciprop(~awards_yes, pstrat, method = "beta"))
put_by("strat_ps.svyby_ciprop_beta.awards.stype",
       svyby(~awards_yes, ~stype, pstrat, svyciprop, method = "beta", vartype = c("se", "ci")))

## ---- apiclus1: one-stage cluster sample of school districts ---------------------
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
put_stat("clus1.svymean.api00", svymean(~api00, dclus1))
put_stat("clus1.svytotal.enroll", svytotal(~enroll, dclus1))
put_by("clus1.svyby_mean.api00.stype", svyby(~api00, ~stype, dclus1, svymean))
put("clus1.degf", degf(dclus1))
put_ciprop("clus1.svyciprop_logit.sch_wide", svyciprop(~sch_wide_yes, dclus1, method = "logit"))
put_ciprop("clus1.svyciprop_beta.sch_wide", svyciprop(~sch_wide_yes, dclus1, method = "beta"))
put_chisq("clus1.svychisq_F.sch_wide_stype", svychisq(~sch.wide + stype, dclus1))
put_chisq("clus1.svychisq_Chisq.sch_wide_stype", svychisq(~sch.wide + stype, dclus1, statistic = "Chisq"))

# The survey package's own raking example (?rake), default control (maxit 10, epsilon 1).
pop_types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop_schwide2 <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
rclus1 <- rake(dclus1, list(~stype, ~sch.wide), list(pop_types, pop_schwide2))
put_stat("clus1_rake.svymean.api00", svymean(~api00, rclus1))
put_stat("clus1_rake.svytotal.enroll", svytotal(~enroll, rclus1))
put_by("clus1_rake.svyby_mean.api00.stype", svyby(~api00, ~stype, rclus1, svymean))
put_ciprop("clus1_rake.svyciprop_logit.awards", svyciprop(~awards_yes, rclus1, method = "logit"))
put_ciprop("clus1_rake.svyciprop_beta.awards", svyciprop(~awards_yes, rclus1, method = "beta"))
put_chisq("clus1_rake.svychisq_F.awards_stype", svychisq(~awards + stype, rclus1))
put_chisq("clus1_rake.svychisq_Chisq.awards_stype", svychisq(~awards + stype, rclus1, statistic = "Chisq"))

pclus1 <- postStratify(dclus1, ~stype, pop_types)
put_stat("clus1_ps.svymean.api00", svymean(~api00, pclus1))
put_by("clus1_ps.svyby_mean.api00.sch_wide", svyby(~api00, ~sch.wide, pclus1, svymean))

# trimWeights(strict = TRUE) on the raked design, bounds relative to the mean weight.
tclus1 <- trimWeights(rclus1, upper = 1.45 * mean(weights(rclus1)), strict = TRUE)
put_stat("clus1_trim.svymean.api00", svymean(~api00, tclus1))

weights_out <- data.frame(
  dataset = c(rep("apiclus1", nrow(apiclus1)), rep("apistrat", nrow(apistrat))),
  row = c(seq_len(nrow(apiclus1)), seq_len(nrow(apistrat))),
  rake = c(weights(rclus1), rep(NA, nrow(apistrat))),
  post_stratify = c(weights(pclus1), weights(pstrat)),
  trim = c(weights(tclus1), rep(NA, nrow(apistrat)))
)

keys <- sort(ls(figs))
vals <- vapply(keys, function(k) get(k, envir = figs), numeric(1))
write.csv(data.frame(key = keys, value = sprintf("%.17g", vals)),
          file.path(outdir, "api_figures.csv"), row.names = FALSE)
for (col in c("rake", "post_stratify", "trim"))
  weights_out[[col]] <- ifelse(is.na(weights_out[[col]]), "", sprintf("%.17g", weights_out[[col]]))
write.csv(weights_out, file.path(outdir, "api_weights.csv"), row.names = FALSE)
cat("wrote", length(keys), "figures\n")
