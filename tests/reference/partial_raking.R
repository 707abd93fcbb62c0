# Raking that keeps respondents whose category is missing or absent from the margins.
#
# Usage (from the project root):
#   Rscript tests/reference/partial_raking.R tests/reference
# Reads town_survey.csv and town_census_margins.csv, plants respondents outside the
# census categories (sex "autre", age band "nsp", no district, both of the first two),
# and writes partial_raking_weights.csv (one row per response) and
# partial_raking_figures.csv (key, value). Produced with R survey 4.1.1.
#
# The rule of analysis.weighting.rake (unmatched = "keep") is Pasek's anesrake rule: a
# respondent whose category of a margin is unknown is raked only on the margins they
# have; in that margin's step their weight is kept and the census counts are shared, in
# proportion, among the weight of the others. It is written out below in plain R
# (iterative proportional fitting, no package), from starting weights scaled to the
# census total. Its solution is also what survey::rake() gives when the unknown
# respondents of each margin form one more category ("inconnu") counted at their own
# final weighted total; the script checks that, and the standard errors below come
# from that survey::rake() design (the "inconnu" categories are then calibrated).
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")

args <- commandArgs(trailingOnly = TRUE)
refdir <- if (length(args) >= 1) args[1] else "tests/reference"

town <- read.csv(file.path(refdir, "town_survey.csv"), stringsAsFactors = FALSE)
margins <- read.csv(file.path(refdir, "town_census_margins.csv"), stringsAsFactors = FALSE)
town$renonce <- ifelse(town$renoncement_soins == "nsp", NA,
                       as.numeric(town$renoncement_soins == "oui"))

# The same rows in tests/analysis/test_weighting.py (planted_unmatched).
id <- town$response_id
town$sex[id %% 97 == 0] <- "autre"
town$age_band[id %% 89 == 0] <- "nsp"
town$district[id %% 83 == 0] <- ""
town$sex[id %% 250 == 0] <- "autre"
town$age_band[id %% 250 == 0] <- NA

vars <- c("district", "age_band", "sex")
for (v in vars) {
  known <- margins$category[margins$variable == v]
  x <- town[[v]]
  town[[paste0(v, "_r")]] <- ifelse(!is.na(x) & x %in% known, x, "inconnu")
}
des0 <- svydesign(ids = ~1, weights = ~base_weight, data = town)
N <- sum(margins$count[margins$variable == "district"])
w <- weights(des0) * N / sum(weights(des0))
for (iter in 1:10000) {
  before <- w
  for (v in vars) {
    m <- margins[margins$variable == v, ]
    x <- town[[paste0(v, "_r")]]
    known <- x != "inconnu"
    share <- setNames(m$count / sum(m$count), m$category)
    current <- tapply(w[known], x[known], sum)
    factor <- share[names(current)] * sum(w[known]) / current
    w[known] <- w[known] * factor[x[known]]
  }
  change <- max(abs(w - before))
  if (change < 1e-12) break
}
cat("raking passes:", iter, "last change:", change, "\n")

# survey::rake() with an "inconnu" category counted at its final weighted total.
pop <- lapply(vars, function(v) {
  m <- margins[margins$variable == v, ]
  unknown <- town[[paste0(v, "_r")]] == "inconnu"
  kept <- sum(w[unknown])
  out <- data.frame(c(m$category, "inconnu"), c(m$count * (N - kept) / N, kept))
  names(out) <- c(paste0(v, "_r"), "Freq")
  out
})
rk <- rake(des0, list(~district_r, ~age_band_r, ~sex_r), pop,
           control = list(maxit = 1000, epsilon = 1e-14))
stopifnot(max(abs(weights(rk) / w - 1)) < 1e-9)

figs <- new.env()
put <- function(key, value) assign(key, as.vector(value), envir = figs)
put_stat <- function(key, stat) {
  est <- coef(stat)
  se <- as.vector(SE(stat))
  for (i in seq_along(est)) {
    put(paste0(key, ".", names(est)[i]), est[i])
    put(paste0(key, ".", names(est)[i], ".se"), se[i])
  }
}
put("passes", iter)
put_stat("partial.svymean.sans_medecin_traitant", svymean(~sans_medecin_traitant, rk))
put_stat("partial.svymean.isolement", svymean(~isolement, rk, na.rm = TRUE))
put_stat("partial.svytotal.acces_soins", svytotal(~acces_soins, rk))
p <- svyciprop(~renonce, rk, method = "logit", na.rm = TRUE)
put("partial.svyciprop_logit.renonce.estimate", p)
put("partial.svyciprop_logit.renonce.se", sqrt(attr(p, "var")))
put("partial.svyciprop_logit.renonce.ci_low", attr(p, "ci")[1])
put("partial.svyciprop_logit.renonce.ci_high", attr(p, "ci")[2])
by <- svyby(~sans_medecin_traitant, ~qpv, rk, svymean)
for (r in seq_len(nrow(by))) {
  put(paste0("partial.svyby_mean.sans_medecin_traitant.qpv.", rownames(by)[r], ".estimate"),
      by[r, 2])
  put(paste0("partial.svyby_mean.sans_medecin_traitant.qpv.", rownames(by)[r], ".se"),
      by[r, 3])
}

keys <- sort(ls(figs))
vals <- vapply(keys, function(k) get(k, envir = figs), numeric(1))
write.csv(data.frame(key = keys, value = sprintf("%.17g", vals)),
          file.path(refdir, "partial_raking_figures.csv"), row.names = FALSE)
write.csv(data.frame(response_id = town$response_id, weight = sprintf("%.17g", weights(rk))),
          file.path(refdir, "partial_raking_weights.csv"), row.names = FALSE)
cat("wrote", length(keys), "figures\n")
