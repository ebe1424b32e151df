#include "store/store.h"

namespace consentric {

std::string_view to_string(ConsentAction a) {
  switch (a) {
    case ConsentAction::kGrant:
      return "grant";
    case ConsentAction::kWithdraw:
      return "withdraw";
    case ConsentAction::kRefuse:
      return "refuse";
    case ConsentAction::kLapse:
      return "lapse";
  }
  return "withdraw";
}

std::optional<ConsentAction> parse_consent_action(std::string_view text) {
  if (text == "grant") return ConsentAction::kGrant;
  if (text == "withdraw") return ConsentAction::kWithdraw;
  if (text == "refuse") return ConsentAction::kRefuse;
  if (text == "lapse") return ConsentAction::kLapse;
  return std::nullopt;
}

}  // namespace consentric
