# Reference figures from R's survey package on the synthetic town survey.
#
# Usage (from the project root):
#   Rscript tests/reference/town_survey.R tests/reference
# Reads town_survey.csv, town_census_margins.csv and town_census_cells.csv (written by
# make_town_survey.py) and writes town_figures.csv (key, value) and town_weights.csv
# (one row per response). Produced with R survey 4.1.1. Keys name the design, the R
# function and the variables; the Python tests quote the R call above each comparison.
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")

args <- commandArgs(trailingOnly = TRUE)
refdir <- if (length(args) >= 1) args[1] else "tests/reference"

town <- read.csv(file.path(refdir, "town_survey.csv"))
margins <- read.csv(file.path(refdir, "town_census_margins.csv"))
cells <- read.csv(file.path(refdir, "town_census_cells.csv"))
# "nsp" (don't know) counts as no answer for the renoncement_soins indicator.
town$renonce <- ifelse(town$renoncement_soins == "nsp", NA,
                       as.numeric(town$renoncement_soins == "oui"))
town$acces_difficile <- as.numeric(town$acces_soins == "difficile")

figs <- new.env()
put <- function(key, value) {
  value <- as.vector(value)
  if (length(value) == 1) assign(key, value, envir = figs)
  else for (i in seq_along(value)) assign(paste0(key, ".", i), value[i], envir = figs)
}
put_stat <- function(key, stat) {
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
margin_df <- function(var) {
  m <- margins[margins$variable == var, c("category", "count")]
  setNames(data.frame(m$category, m$count), c(var, "Freq"))
}
pop <- lapply(c("district", "age_band", "sex"), margin_df)
cells_df <- data.frame(age_band = cells$age_band, sex = cells$sex, Freq = cells$count)

des0 <- svydesign(ids = ~1, weights = ~base_weight, data = town)
# Raked to convergence (epsilon < 1 is a fraction of the weight total: 5.6e-6 people).
rk <- rake(des0, list(~district, ~age_band, ~sex), pop,
           control = list(maxit = 100, epsilon = 1e-10))
# R's default control: maxit = 10, epsilon = 1 (absolute change of the joint table).
rk_default <- rake(des0, list(~district, ~age_band, ~sex), pop)
ps <- postStratify(des0, ~age_band + sex, cells_df)
trim_upper <- 2.5 * mean(weights(rk))
trim_lower <- 0.6 * mean(weights(rk))
tr <- trimWeights(rk, upper = trim_upper, lower = trim_lower, strict = TRUE)
put("trim.upper", trim_upper)
put("trim.lower", trim_lower)

designs <- list(unweighted = des0, rake = rk, rake_default = rk_default,
                poststrat = ps, trim = tr)
for (nm in names(designs)) {
  d <- designs[[nm]]
  put(paste0(nm, ".degf"), degf(d))
  put_stat(paste0(nm, ".svymean.sans_medecin_traitant"), svymean(~sans_medecin_traitant, d))
  put_stat(paste0(nm, ".svymean.isolement"), svymean(~isolement, d, na.rm = TRUE))
  put_stat(paste0(nm, ".svymean.acces_soins"), svymean(~acces_soins, d))
  put_stat(paste0(nm, ".svytotal.sans_medecin_traitant"), svytotal(~sans_medecin_traitant, d))
  put_stat(paste0(nm, ".svytotal.acces_soins"), svytotal(~acces_soins, d))
  put_by(paste0(nm, ".svyby_mean.sans_medecin_traitant.district"),
         svyby(~sans_medecin_traitant, ~district, d, svymean))
  put_by(paste0(nm, ".svyby_mean.acces_soins.district"),
         svyby(~acces_soins, ~district, d, svymean))
  put_by(paste0(nm, ".svyby_mean.isolement.age_band"),
         svyby(~isolement, ~age_band, d, svymean, na.rm = TRUE))
  put_by(paste0(nm, ".svyby_mean.sans_medecin_traitant.qpv_sex"),
         svyby(~sans_medecin_traitant, ~qpv + sex, d, svymean))
  put_by(paste0(nm, ".svyby_total.sans_medecin_traitant.district"),
         svyby(~sans_medecin_traitant, ~district, d, svytotal))
  for (method in c("logit", "beta")) {
    put_ciprop(paste0(nm, ".svyciprop_", method, ".sans_medecin_traitant"),
               svyciprop(~sans_medecin_traitant, d, method = method))
    put_ciprop(paste0(nm, ".svyciprop_", method, ".renonce"),
               svyciprop(~renonce, d, method = method, na.rm = TRUE))
    put_by(paste0(nm, ".svyby_ciprop_", method, ".sans_medecin_traitant.district"),
           svyby(~sans_medecin_traitant, ~district, d, svyciprop, method = method,
                 vartype = c("se", "ci")))
    put_by(paste0(nm, ".svyby_ciprop_", method, ".renonce.qpv"),
           svyby(~renonce, ~qpv, d, svyciprop, method = method, na.rm = TRUE,
                 vartype = c("se", "ci")))
    put_by(paste0(nm, ".svyby_ciprop_", method, ".acces_difficile.age_band"),
           svyby(~acces_difficile, ~age_band, d, svyciprop, method = method,
                 vartype = c("se", "ci")))
  }
  for (stat in c("F", "Chisq")) {
    put_chisq(paste0(nm, ".svychisq_", stat, ".acces_soins_district"),
              svychisq(~acces_soins + district, d, statistic = stat))
    put_chisq(paste0(nm, ".svychisq_", stat, ".renoncement_soins_sex"),
              svychisq(~renoncement_soins + sex, d, statistic = stat))
    put_chisq(paste0(nm, ".svychisq_", stat, ".isolement_age_band"),
              svychisq(~isolement + age_band, d, statistic = stat))
  }
  # District against the rest of the town: svyglm(y ~ I(district == "X")).
  pvals <- c()
  for (dist in sort(unique(town$district))) {
    for (y in c("sans_medecin_traitant", "isolement")) {
      f <- as.formula(sprintf('%s ~ I(district == "%s")', y, dist))
      fit <- summary(svyglm(f, design = d))$coefficients
      key <- paste0(nm, ".svyglm.", y, ".", dist)
      put(paste0(key, ".difference"), fit[2, 1])
      put(paste0(key, ".se"), fit[2, 2])
      put(paste0(key, ".p_value"), fit[2, 4])
      pvals[paste(y, dist)] <- fit[2, 4]
    }
  }
  # Benjamini-Hochberg across districts and indicators (one family).
  adj <- p.adjust(pvals, method = "BH")
  for (i in seq_along(adj)) put(paste0(nm, ".p_adjust_bh.", gsub(" ", ".", names(adj)[i])), adj[i])
}
put("p_adjust_bh.with_na", p.adjust(c(0.01, NA, 0.04, 0.03, 0.5, NA, 0.02), method = "BH"))

weights_out <- data.frame(
  response_id = town$response_id,
  rake = sprintf("%.17g", weights(rk)),
  rake_default = sprintf("%.17g", weights(rk_default)),
  poststrat = sprintf("%.17g", weights(ps)),
  trim = sprintf("%.17g", weights(tr))
)
keys <- sort(ls(figs))
vals <- vapply(keys, function(k) get(k, envir = figs), numeric(1))
write.csv(data.frame(key = keys, value = sprintf("%.17g", vals)),
          file.path(refdir, "town_figures.csv"), row.names = FALSE)
write.csv(weights_out, file.path(refdir, "town_weights.csv"), row.names = FALSE)
cat("wrote", length(keys), "figures\n")
